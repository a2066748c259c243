/// Serial numbers: DER INTEGER content to decimal text, as Java's `BigInteger(byte[]).toString()`.
enum SerialNumber {
    static func decimal(_ content: ArraySlice<UInt8>) -> String? {
        guard !content.isEmpty, content.count <= 64 else { return nil }
        var magnitude = Array(content)
        let negative = magnitude[0] & 0x80 != 0
        if negative {  // two's complement: invert and add one
            for i in magnitude.indices { magnitude[i] = ~magnitude[i] }
            var i = magnitude.count - 1
            while i >= 0 {
                magnitude[i] &+= 1
                if magnitude[i] != 0 { break }
                i -= 1
            }
        }
        // Repeated division by 10^9 over the base-256 digits, in place: each quotient digit is below 256
        // (remainder < 10^9, so remainder * 256 + digit < 256 * 10^9).
        var start = magnitude.firstIndex { $0 != 0 } ?? magnitude.count
        var chunks: [UInt32] = []  // base 10^9, least significant first
        chunks.reserveCapacity(magnitude.count / 3 + 1)
        while start < magnitude.count {
            var remainder: UInt64 = 0
            for i in start..<magnitude.count {
                let value = remainder << 8 | UInt64(magnitude[i])
                magnitude[i] = UInt8(truncatingIfNeeded: value / 1_000_000_000)
                remainder = value % 1_000_000_000
            }
            chunks.append(UInt32(remainder))
            while start < magnitude.count, magnitude[start] == 0 { start += 1 }
        }
        guard let top = chunks.last else { return "0" }
        var text: [UInt8] = []
        text.reserveCapacity(chunks.count * 9 + 1)
        if negative { text.append(UInt8(ascii: "-")) }
        DecimalText.append(UInt64(top), to: &text)
        for chunk in chunks.dropLast().reversed() { DecimalText.append(UInt64(chunk), width: 9, to: &text) }
        return String(decoding: text, as: UTF8.self)
    }
}
