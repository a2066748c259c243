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
        // Repeated division by 10^9 over base-256 digits.
        var digits: [UInt32] = []
        var number = magnitude.drop { $0 == 0 }.map { UInt32($0) }
        while !number.isEmpty {
            var remainder: UInt64 = 0
            var next: [UInt32] = []
            next.reserveCapacity(number.count)
            for d in number {
                let value = remainder << 8 | UInt64(d)
                let q = value / 1_000_000_000
                remainder = value % 1_000_000_000
                if !(next.isEmpty && q == 0) { next.append(UInt32(q)) }
            }
            digits.append(UInt32(remainder))
            number = next
        }
        guard let top = digits.last else { return "0" }
        var text = negative ? "-" : ""
        text += String(top)
        for chunk in digits.dropLast().reversed() {
            text += String(chunk).leftPadded(to: 9)
        }
        return text
    }
}
