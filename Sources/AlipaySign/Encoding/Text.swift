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
