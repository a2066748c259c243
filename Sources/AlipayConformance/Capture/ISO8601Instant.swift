import AlipaySign
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
        fast(text) ?? foundation(text)
    }

    /// The same, read by Foundation's styles only.
    package static func foundation(_ text: String) -> Date? {
        // Foundation's styles stop reading where their pattern ends: the length says which form this is.
        let n = text.utf8.count
        if n == 10 { return try? dateOnly.parse(text) }
        guard n >= 19 else { return nil }
        if let date = try? withFraction.parse(text) { return date }
        if let date = try? plain.parse(text) { return date }
        return n == 19 ? try? withoutZone.parse(text) : nil
    }

    /// The common forms read by hand (Foundation's parser was a twentieth of `check`'s time): a date and a time in
    /// whole seconds (or with a fraction of zeros, as `.000`), then `Z`, `±HH:MM` or nothing, every field in range.
    /// Anything else is left to Foundation (`nil`). The result equals Foundation's (a test compares them over many
    /// instants).
    package static func fast(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { b -> Date? in
            let n = b.count
            guard n >= 19, b[4] == 0x2D, b[7] == 0x2D, b[10] == UInt8(ascii: "T"), b[13] == 0x3A, b[16] == 0x3A else { return nil }
            func number(_ at: Int, _ digits: Int) -> Int? {
                var v = 0
                for k in at..<(at + digits) {
                    let c = b[k]
                    guard c >= 0x30 && c <= 0x39 else { return nil }
                    v = v * 10 + Int(c - 0x30)
                }
                return v
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
                let minute = number(14, 2), let second = number(17, 2), year >= 1, (1...12).contains(month),
                day >= 1, hour < 24, minute < 60, second < 60
            else { return nil }
            let days = BeijingTime.daysFromCivil(year, month, day)
            guard BeijingTime.civil(days: days) == (year, month, day) else { return nil }  // no 2022-02-30
            var i = 19
            if i < n, b[i] == UInt8(ascii: ".") {
                let start = i + 1
                i = start
                var digits = 0
                var value = 0
                while i < n, b[i] >= 0x30 && b[i] <= 0x39, digits < 9 {
                    value = value * 10 + Int(b[i] - 0x30)
                    digits += 1
                    i += 1
                }
                // A fraction other than zero is left to Foundation: near its reference date, where a nanosecond is
                // representable, its rounding of a fraction is its own (found by comparing millions of instants).
                guard digits > 0, digits <= 3, i == n || !(b[i] >= 0x30 && b[i] <= 0x39), value == 0 else { return nil }
            }
            var offset = 0
            if i == n {
                // Foundation reads fractional seconds only with a zone.
                guard i == 19 else { return nil }
            } else if b[i] == UInt8(ascii: "Z"), i + 1 == n {
                offset = 0
            } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), i + 6 == n, b[i + 3] == 0x3A,
                let h = number(i + 1, 2), let m = number(i + 4, 2), h < 24, m < 60
            {
                offset = (h * 3600 + m * 60) * (b[i] == UInt8(ascii: "+") ? 1 : -1)
            } else {
                return nil
            }
            let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
            return Date(timeIntervalSince1970: Double(seconds))
        }
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` (whole seconds, UTC).
    package static func format(_ date: Date) -> String { plain.format(date) }
}
