@_spi(AlipaySignTools) import AlipaySign

/// A v2 request's parameters, the URL query's and the body's together, decoded once: names and values are ranges
/// of one UTF-8 buffer, found by comparing bytes. A request has a dozen parameters and the checks read each once or
/// twice, so this costs less than a dictionary (a String per name and value, a hash per insertion and lookup); the
/// sign content is built from the ranges directly. A String is made only for a value that is read.
struct RequestParameters {
    /// The names and values, in UTF-8.
    private(set) var text: [UInt8]
    /// The parameters, names distinct: the query's in order, then the body's that the query does not have.
    private(set) var pairs: [DecodedForm.Pair]

    /// The parameters of a decoded query or body.
    /// - Throws: ``AlipaySignError/Code/duplicateParameter`` for the first name that appears again, as
    ///   `DecodedForm.dictionary()` throws it.
    init(_ form: DecodedForm) throws {
        try Self.checkDistinct(form)
        text = form.text
        pairs = form.pairs
    }

    /// Throws for the first name of the form that appears again (in form order, as `DecodedForm.dictionary()`).
    static func checkDistinct(_ form: DecodedForm) throws {
        try form.text.withUnsafeBufferPointer { d in
            let pairs = form.pairs
            if pairs.count <= smallCount {
                for j in pairs.indices {
                    for i in 0..<j where same(d, pairs[i].name, pairs[j].name) {
                        throw DecodedForm.duplicate(String(decoding: d[pairs[j].name], as: UTF8.self))
                    }
                }
                return
            }
            var seen = Set<[UInt8]>(minimumCapacity: pairs.count)
            for pair in pairs where !seen.insert(Array(d[pair.name])).inserted {
                throw DecodedForm.duplicate(String(decoding: d[pair.name], as: UTF8.self))
            }
        }
    }

    /// Up to this many parameters, names are compared pair by pair; beyond, through a hash (so that a capture of
    /// a request with thousands of parameters is not read in quadratic time). Names are equal when their bytes
    /// are, as Java's `String.equals` compares code units (a Swift String would also equate canonically
    /// equivalent names).
    private static let smallCount = 16

    /// Adds a body's parameters (distinct names: ``checkDistinct(_:)``): a name the query has takes the body's
    /// value (the gateway reads the body's), and `differing` is told the names whose two values differ.
    mutating func merge(_ form: DecodedForm, differing: (String) -> Void) {
        var index = Index(self)
        form.text.withUnsafeBufferPointer { d in
            for pair in form.pairs {
                set(UnsafeBufferPointer(rebasing: d[pair.name]), UnsafeBufferPointer(rebasing: d[pair.value]), &index, differing)
            }
        }
    }

    /// Adds parameters given as a dictionary (the text parts of a multipart body), as ``merge(_:differing:)``.
    mutating func merge(_ parameters: [String: String], differing: (String) -> Void) {
        var index = Index(self)
        for (name, value) in parameters {
            var name = name, value = value
            name.withUTF8 { n in value.withUTF8 { v in set(n, v, &index, differing) } }
        }
    }

    /// Where the names present before a merge are: searched pair by pair when few, else hashed.
    private struct Index {
        let count: Int
        let byName: [[UInt8]: Int]?
        init(_ p: RequestParameters) {
            count = p.pairs.count
            guard count > RequestParameters.smallCount else {
                byName = nil
                return
            }
            var map: [[UInt8]: Int] = [:]
            map.reserveCapacity(count)
            for (k, pair) in p.pairs.enumerated() { map[Array(p.text[pair.name])] = k }
            byName = map
        }
    }

    private mutating func set(
        _ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>, _ index: inout Index,
        _ differing: (String) -> Void
    ) {
        let existing: Int?
        if let byName = index.byName {
            existing = byName[Array(name)]
        } else {
            existing = text.withUnsafeBufferPointer { d in
                pairs[0..<index.count].firstIndex {
                    $0.name.count == name.count && name.elementsEqual(UnsafeBufferPointer(rebasing: d[$0.name]))
                }
            }
        }
        let start = text.count
        if let k = existing {
            let old = pairs[k].value
            text.append(contentsOf: value)
            if !text.withUnsafeBufferPointer({ Self.same($0, old, start..<$0.count) }) {
                differing(String(decoding: name, as: UTF8.self))
            }
            pairs[k].value = start..<text.count
        } else {
            text.append(contentsOf: name)
            let nameEnd = text.count
            text.append(contentsOf: value)
            pairs.append(DecodedForm.Pair(name: start..<nameEnd, value: nameEnd..<text.count))
        }
    }

    private static func same(_ d: UnsafeBufferPointer<UInt8>, _ a: Range<Int>, _ b: Range<Int>) -> Bool {
        a.count == b.count && UnsafeBufferPointer(rebasing: d[a]).elementsEqual(UnsafeBufferPointer(rebasing: d[b]))
    }

    /// The value's range of the parameter with this ASCII name.
    func range(_ name: StaticString) -> Range<Int>? {
        text.withUnsafeBufferPointer { DecodedForm.value(name, in: pairs, $0) }
    }

    /// Whether the request has the parameter.
    func contains(_ name: StaticString) -> Bool { range(name) != nil }

    /// The value at a range, as text.
    func string(_ value: Range<Int>) -> String { String(decoding: text[value], as: UTF8.self) }

    /// Runs `body` with the bytes of the value at a range.
    func withValue<R>(_ value: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        text.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[value])) }
    }

    /// The value of the parameter with this ASCII name.
    subscript(_ name: StaticString) -> String? { range(name).map(string) }

    /// The names (other than `sign`) whose value is empty or white space only, as Java's `StringUtils.isEmpty`
    /// says: sent, but left out of the sign content.
    var blankNames: [String] {
        text.withUnsafeBufferPointer { d in
            pairs.filter { !DecodedForm.bytes(d, $0.name, equal: "sign") && DecodedForm.isJavaEmpty(d, $0.value) }
                .map { String(decoding: d[$0.name], as: UTF8.self) }
        }
    }

    /// The parameters as a dictionary, for what takes one (the diagnosis, the gateway's echoed sign string; two
    /// names that differ in bytes but are canonically equivalent Unicode would share one key there).
    var dictionary: [String: String] {
        var out: [String: String] = [:]
        out.reserveCapacity(pairs.count)
        for pair in pairs { out[String(decoding: text[pair.name], as: UTF8.self)] = String(decoding: text[pair.value], as: UTF8.self) }
        return out
    }
}
