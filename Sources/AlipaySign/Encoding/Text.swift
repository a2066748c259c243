extension String {
    /// Every occurrence of `target` replaced (Foundation's `replacingOccurrences` without loading Foundation).
    ///
    /// When `target`'s bytes occur nowhere in the string's UTF-8 (the usual case: a diagnosis tries every value of
    /// a request for a space that was a `+`), the string itself is returned without being split: no occurrence of
    /// the characters is possible without one of the bytes. Otherwise the replacement is done on characters, as
    /// before.
    package func replacingAll(_ target: String, with replacement: String) -> String {
        var me = self, target = target
        let found = me.withUTF8 { hay in target.withUTF8 { ByteSearch.find($0, in: hay) } }
        guard found != nil else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

extension String {
    /// Whether the two strings are equal once lowercased (`a.lowercased() == b.lowercased()`), compared on their
    /// UTF-8 without making either lowercase copy when both are ASCII: header names, charset and format names,
    /// looked up on every exchange `check` reads (each `lowercased()` is a new string, and a look at every
    /// character). A string with a byte outside ASCII goes the standard library's way (Unicode lowercasing: the
    /// Kelvin sign `K` lowercases to an ASCII `k`).
    package func equalsIgnoringCase(_ other: String) -> Bool {
        // The bytes in place (copying the strings to call `withUTF8` retained each); a string without contiguous
        // UTF-8 (a bridged one) goes the standard library's way too.
        let outcome = utf8.withContiguousStorageIfAvailable { x in
            other.utf8.withContiguousStorageIfAvailable { y in Self.asciiCaseOutcome(x, y) } ?? .notASCII
        } ?? .notASCII
        switch outcome {
        case .equal: return true
        case .different: return false
        case .notASCII: return lowercased() == other.lowercased()
        }
    }

    private enum CaseOutcome { case equal, different, notASCII }

    private static func asciiCaseOutcome(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> CaseOutcome {
        var bits: UInt8 = 0
        for byte in x { bits |= byte }
        for byte in y { bits |= byte }
        guard bits < 0x80 else { return .notASCII }
        guard x.count == y.count else { return .different }
        for k in 0..<x.count where x[k] != y[k] {
            // ASCII letters differ only in 0x20; anything else differing is a different character.
            let l = x[k] | 0x20
            guard l == y[k] | 0x20, l >= UInt8(ascii: "a"), l <= UInt8(ascii: "z") else { return .different }
        }
        return .equal
    }
}
