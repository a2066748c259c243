import AlipaySign

/// How reports and the command line word a ``Diagnosis``: the variant that verifies, as a list of what differs
/// from what was expected.
package enum DiagnosisText {
    /// `verifies as expected`, or what differs, joined by `; ` (`values decoded twice (%XX decoded once more);
    /// the content encoded in GBK, not UTF-8`).
    package static func describe(_ d: Diagnosis) -> String {
        var parts: [String] = []
        switch d.contentVariant {
        case .notificationV1: parts.append("V1 (sign and sign_type left out)")
        case .notificationV2: parts.append("V2 (sign_type kept)")
        case .request, .response: break
        }
        if d.slashesUnescaped { parts.append("\\/ read as /") }
        if d.valuesDecodedTwice { parts.append("values decoded twice (%XX decoded once more)") }
        switch d.whitespace {
        case .spacesWerePlus?: parts.append("spaces were '+' when signed (whitespace altered in transit)")
        case .trimmed?: parts.append("leading or trailing whitespace was not there when signed")
        case nil: break
        }
        if d.signType != d.expectedSignType {
            parts.append("sign_type \(d.signType.rawValue) (\(d.signType.algorithmName)), not \(d.expectedSignType.rawValue)")
        }
        if d.charset != d.expectedCharset { parts.append("the content encoded in \(d.charset), not \(d.expectedCharset)") }
        if d.isOtherKey { parts.append("signed by \(keyName(d.keyRole, sn: d.keyCertificateSN))") }
        return parts.isEmpty ? "verifies as expected" : parts.joined(separator: "; ")
    }

    /// `the app's public key`, `Alipay's public key`, `Alipay certificate <SN>`.
    package static func keyName(_ role: KeyRole, sn: String?) -> String {
        switch role {
        case .app: "the app's public key"
        case .alipay: sn.map { "Alipay certificate \($0)" } ?? "Alipay's public key"
        }
    }
}
