/// Serial numbers: DER INTEGER content to decimal text, as Java's `BigInteger(byte[]).toString()`.
enum SerialNumber {
    static func decimal(_ content: ArraySlice<UInt8>) -> String? {
        guard !content.isEmpty, content.count <= 64 else { return nil }
        // Worked in two stack buffers, written into the String's own storage: a serial is read for every
        // certificate of every bundle.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { magnitudeBuffer -> String in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64 / 3 + 2) { chunks -> String in
                let magnitude = magnitudeBuffer.baseAddress!
                let n = content.count
                _ = UnsafeMutableBufferPointer(start: magnitude, count: n).initialize(from: content)
                let negative = magnitude[0] & 0x80 != 0
                if negative {  // two's complement: invert and add one
                    for i in 0..<n { magnitude[i] = ~magnitude[i] }
                    var i = n - 1
                    while i >= 0 {
                        magnitude[i] &+= 1
                        if magnitude[i] != 0 { break }
                        i -= 1
                    }
                }
                // Repeated division by 10^9 over the base-256 digits, in place: each quotient digit is below 256
                // (remainder < 10^9, so remainder * 256 + digit < 256 * 10^9). 64 bytes give at most 155 digits,
                // so at most 18 chunks of nine.
                var start = 0
                while start < n, magnitude[start] == 0 { start += 1 }
                var count = 0  // base 10^9, least significant first
                while start < n {
                    var remainder: UInt64 = 0
                    for i in start..<n {
                        let value = remainder << 8 | UInt64(magnitude[i])
                        magnitude[i] = UInt8(truncatingIfNeeded: value / 1_000_000_000)
                        remainder = value % 1_000_000_000
                    }
                    chunks[count] = UInt32(remainder)
                    count += 1
                    while start < n, magnitude[start] == 0 { start += 1 }
                }
                guard count > 0 else { return "0" }
                return String(unsafeUninitializedCapacity: count * 9 + 1) { text in
                    guard let out = text.baseAddress else { return 0 }
                    var length = 0
                    if negative {
                        out[0] = UInt8(ascii: "-")
                        length = 1
                    }
                    length += DecimalText.write(UInt64(chunks[count - 1]), to: out + length)
                    for c in stride(from: count - 2, through: 0, by: -1) {
                        var v = chunks[c]
                        for d in stride(from: 8, through: 0, by: -1) {
                            out[length + d] = UInt8(ascii: "0") + UInt8(v % 10)
                            v /= 10
                        }
                        length += 9
                    }
                    return length
                }
            }
        }
    }
}
