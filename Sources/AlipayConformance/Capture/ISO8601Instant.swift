#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// ISO 8601 instants as captures and the command line write them, read with Foundation's ISO 8601 format styles:
/// `YYYY-MM-DD` (midnight UTC), or a date and time with `Z`, an offset, or no zone (UTC), with or without
/// fractional seconds.
package enum ISO8601Instant {
    private static let dateOnly = Date.ISO8601FormatStyle().year().month().day().dateSeparator(.dash)
    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let plain = Date.ISO8601FormatStyle()
    private static let withoutZone = Date.ISO8601FormatStyle().year().month().day().dateSeparator(.dash)
        .time(includingFractionalSeconds: false).timeSeparator(.colon)

    /// The instant, or `nil` when the text is not one of the forms above.
    package static func parse(_ text: String) -> Date? {
        // Foundation's styles stop reading where their pattern ends: the length says which form this is.
        let n = text.utf8.count
        if n == 10 { return try? dateOnly.parse(text) }
        guard n >= 19 else { return nil }
        if let date = try? withFraction.parse(text) { return date }
        if let date = try? plain.parse(text) { return date }
        return n == 19 ? try? withoutZone.parse(text) : nil
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` (whole seconds, UTC).
    package static func format(_ date: Date) -> String { plain.format(date) }
}
