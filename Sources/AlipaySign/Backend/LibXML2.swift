internal import CLibXML2

/// A SAX pass of libxml2 over an XML body: checks that it is well-formed and records where each element's
/// start tag begins, as a byte offset in the body as given (`xmlByteConsumed` counts input bytes, whatever the
/// encoding; docs/BACKEND.md §4). No tree is built; entities are not loaded from the network.
enum LibXML2 {
    struct Element {
        /// The offset of the start tag's `<`.
        let offset: Int
        let name: String
        /// The nesting depth: 1 for the document element.
        let depth: Int
    }

    private final class State {
        let body: UnsafeBufferPointer<UInt8>
        var elements: [Element] = []
        var depth = 0
        init(body: UnsafeBufferPointer<UInt8>) { self.body = body }
    }

    /// The elements of a well-formed document, in document order.
    /// - Parameter encoding: the body's charset (`GBK`, `GB18030`), overriding its declaration; `nil` for UTF-8
    ///   or what the document declares.
    /// - Throws: ``AlipaySignError/Code/malformedResponse`` with libxml2's message when it is not well-formed.
    static func elements(_ body: UnsafeBufferPointer<UInt8>, encoding: String?) throws -> [Element] {
        guard let base = body.baseAddress, body.count > 0, body.count < Int(Int32.max) else {
            throw AlipaySignError(.malformedResponse, "the XML body is empty")
        }
        let state = State(body: body)
        var sax = xmlSAXHandler()
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        sax.startElementNs = { ctx, localname, _, _, _, _, _, _, _ in
            guard let ctx, let localname else { return }
            let ctxt = xmlParserCtxtPtr(OpaquePointer(ctx))
            guard let raw = ctxt.pointee._private else { return }
            let st = Unmanaged<State>.fromOpaque(raw).takeUnretainedValue()
            st.depth += 1
            // Positioned just after the start tag's '>': walk back to its '<' (no '<' can occur inside a tag).
            var pos = min(Int(xmlByteConsumed(ctxt)), st.body.count) - 1
            while pos > 0 && st.body[pos] != UInt8(ascii: "<") { pos -= 1 }
            st.elements.append(Element(offset: pos, name: String(cString: localname), depth: st.depth))
        }
        sax.endElementNs = { ctx, _, _, _ in
            guard let ctx else { return }
            let ctxt = xmlParserCtxtPtr(OpaquePointer(ctx))
            guard let raw = ctxt.pointee._private else { return }
            Unmanaged<State>.fromOpaque(raw).takeUnretainedValue().depth -= 1
        }
        // Silence libxml2's own printing to stderr; the error is read from the context instead.
        sax.error = nil
        sax.warning = nil
        sax.serror = { _, _ in }
        // Encoding and I/O errors bypass the SAX handlers and print through the (per-thread) generic handler;
        // a structured handler takes them instead, so that nothing is printed. The host's own handler (and its
        // context) is put back before returning: the library leaves no per-thread state behind.
        let previousHandler = __xmlStructuredError()?.pointee
        let previousContext = __xmlStructuredErrorContext()?.pointee
        xmlSetStructuredErrorFunc(nil) { _, _ in }
        defer { xmlSetStructuredErrorFunc(previousContext ?? nil, previousHandler ?? nil) }
        guard let ctxt = xmlCreatePushParserCtxt(&sax, nil, nil, 0, nil) else {
            throw AlipaySignError(.backendFailure, "libxml2 could not create a parser")
        }
        defer { xmlFreeParserCtxt(ctxt) }
        if let encoding {
            _ = xmlCtxtResetPush(ctxt, nil, 0, nil, encoding)
        }
        ctxt.pointee._private = Unmanaged.passUnretained(state).toOpaque()
        _ = xmlCtxtUseOptions(ctxt, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue))
        let status = base.withMemoryRebound(to: CChar.self, capacity: body.count) {
            xmlParseChunk(ctxt, $0, Int32(body.count), 1)
        }
        // A parse that stopped early (an encoding libxml2 cannot convert, say) can report no error: the document
        // must also have had a root element that closed.
        let wellFormed = ctxt.pointee.wellFormed != 0 && !state.elements.isEmpty && state.depth == 0
        withExtendedLifetime(state) {}
        guard status == 0, wellFormed else {
            var message = "not well-formed"
            if let error = xmlCtxtGetLastError(UnsafeMutableRawPointer(ctxt)), let text = error.pointee.message {
                message = String(cString: text).trimmingASCIIWhitespace()
                message += " (line \(error.pointee.line))"
            }
            throw AlipaySignError(
                .malformedResponse, "the XML response is not well-formed: \(message)",
                hint: "the body must be given exactly as received, in the request's charset")
        }
        return state.elements
    }
}
