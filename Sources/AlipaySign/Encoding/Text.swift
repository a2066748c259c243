extension String {
    /// Every occurrence of `target` replaced (Foundation's `replacingOccurrences` without loading Foundation).
    package func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
