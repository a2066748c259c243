/// `application/x-www-form-urlencoded` bodies and query strings, decoded exactly once (docs/PROTOCOL.md §1.2).
///
/// Decoding works on bytes, as a servlet container does: `+` is a space, `%XX` is the byte XX, and the bytes of
/// each name and value are then decoded in the declared charset. A value is never decoded twice: a `%25` in the
/// body stays `%` in the value (alipay-sdk-nodejs-all#45 is the bug this avoids). Empty segments (`a=1&&b=2`) are
/// skipped; a segment without `=` is a name with an empty value.
public enum FormBody {
    /// Decodes a body into a parameter dictionary.
    /// - Parameters:
    ///   - body: the body or query string as received (bytes).
    ///   - charset: the charset of the percent-decoded bytes; when `nil`, the body's own `charset` parameter,
    ///     else UTF-8.
    /// - Returns: the parameters and the charset used.
    /// - Throws: ``AlipaySignError`` with code ``AlipaySignError/Code/malformedForm``,
    ///   ``AlipaySignError/Code/duplicateParameter``,
    ///   ``AlipaySignError/Code/invalidEncoding`` or
    ///   ``AlipaySignError/Code/unknownCharset``.
    public static func decode<C: Collection>(_ body: C, charset: Charset? = nil) throws
        -> (parameters: [String: String], charset: Charset)
    where C.Element == UInt8 {
        let form = try DecodedForm(decoding: body, charset: charset)
        return (try form.dictionary(), form.charset)
    }
}
