/// Strict UTF-8 validation of byte ranges (no overlongs, no surrogates, nothing above U+10FFFF), for the hot
/// paths that must not build a String to find out.
enum UTF8Check {
    /// Strict UTF-8 over a range, without allocating.
    static func isValid(_ d: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        var i = r.lowerBound
        guard let base = d.baseAddress else { return r.isEmpty }
        while i < r.upperBound {
            // Eight ASCII bytes at a time.
            if i + 8 <= r.upperBound,
                UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0
            {
                i += 8
                continue
            }
            let c = d[i]
            if c < 0x80 {
                i += 1
                continue
            }
            func cont(_ k: Int) -> Bool { i + k < r.upperBound && d[i + k] & 0xC0 == 0x80 }
            func between(_ k: Int, _ lo: UInt8, _ hi: UInt8) -> Bool { i + k < r.upperBound && d[i + k] >= lo && d[i + k] <= hi }
            switch c {
            case 0xC2...0xDF where cont(1): i += 2
            case 0xE0 where between(1, 0xA0, 0xBF) && cont(2): i += 3
            case 0xE1...0xEC where cont(1) && cont(2): i += 3
            case 0xED where between(1, 0x80, 0x9F) && cont(2): i += 3
            case 0xEE...0xEF where cont(1) && cont(2): i += 3
            case 0xF0 where between(1, 0x90, 0xBF) && cont(2) && cont(3): i += 4
            case 0xF1...0xF3 where cont(1) && cont(2) && cont(3): i += 4
            case 0xF4 where between(1, 0x80, 0x8F) && cont(2) && cont(3): i += 4
            default: return false
            }
        }
        return true
    }
}
