#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// UTCTime and GeneralizedTime (RFC 5280 §4.1.2.5) to `Date`.
enum ASN1Time {
    static func date(tag: UInt8, _ content: ArraySlice<UInt8>) -> Date? {
        content.withUnsafeBufferPointer { date(tag: tag, text: $0) }
    }

    private static func date(tag: UInt8, text: UnsafeBufferPointer<UInt8>) -> Date? {
        var i = 0
        func number(_ width: Int) -> Int? {
            guard i + width <= text.count else { return nil }
            var n = 0
            for c in text[i..<(i + width)] {
                guard c >= 0x30, c <= 0x39 else { return nil }
                n = n * 10 + Int(c - 0x30)
            }
            i += width
            return n
        }
        let year: Int
        switch tag {
        case 0x17:  // UTCTime: YYMMDDHHMM[SS]Z; 50-99 are 19xx (RFC 5280)
            guard let yy = number(2) else { return nil }
            year = yy >= 50 ? 1900 + yy : 2000 + yy
        case 0x18:  // GeneralizedTime: YYYYMMDDHHMMSS[.fff]Z
            guard let yyyy = number(4) else { return nil }
            year = yyyy
        default:
            return nil
        }
        guard let month = number(2), let day = number(2), let hour = number(2), let minute = number(2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60
        else { return nil }
        var second = 0
        if i < text.count, text[i] >= 0x30, text[i] <= 0x39 {
            guard let s = number(2), s < 61 else { return nil }
            second = s
        }
        var fraction = 0.0
        if tag == 0x18, i < text.count, text[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            while i < text.count, text[i] >= 0x30, text[i] <= 0x39 {
                fraction += Double(text[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
        }
        guard i == text.count - 1, text[i] == UInt8(ascii: "Z") else { return nil }
        let seconds = Instant.epochSeconds(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}

/// Calendar arithmetic without a calendar: proleptic Gregorian, UTC (the DER times' fields to seconds).
enum Instant {
    /// Days from 1970-01-01 to a civil date (Howard Hinnant's `days_from_civil`).
    static func epochSeconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = Int64(era) * 146_097 + Int64(doe) - 719_468
        return days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }
}
