/// The patterns of the per-API rules are mostly a sequence of character classes with counts (`^2088[0-9]{12}$`,
/// `^[A-Za-z0-9_]+$`). Swift's `Regex` took about 3 µs to match one such value, a few percent of `check`'s time
/// on a capture whose APIs have rules; this reads a pattern of that form once and matches ASCII values directly.
/// Anything else (groups, alternation, escapes, `.`, negated classes, a value outside ASCII or with a carriage
/// return, a value longer than ``maximumLength``) is left to `Regex`, whose answer this one must equal:
/// `SimplePatternTests` compares the two over generated values.
package struct SimplePattern: Sendable {
    /// One element: a set of bytes, matched from `min` to `max` times (`Int.max`: no bound).
    struct Atom: Sendable {
        var set: (UInt64, UInt64)  // a bit per ASCII byte
        var min: Int
        var max: Int

        func contains(_ b: UInt8) -> Bool {
            b < 64 ? set.0 >> b & 1 == 1 : b < 128 && set.1 >> (b - 64) & 1 == 1
        }
    }

    let atoms: [Atom]

    /// Values longer than this go to `Regex` (the matching below is quadratic at worst).
    package static let maximumLength = 512

    /// The pattern read, or `nil` when it is not of the simple form.
    package init?(_ pattern: String) {
        var p = Array(pattern.utf8)[...]
        if p.first == UInt8(ascii: "^") { p = p.dropFirst() }
        if p.last == UInt8(ascii: "$") {
            p = p.dropLast()
            if p.last == UInt8(ascii: "\\") { return nil }  // an escaped `$`
        }
        var atoms: [Atom] = []
        while let c = p.first {
            p = p.dropFirst()
            var atom = Atom(set: (0, 0), min: 1, max: 1)
            if c == UInt8(ascii: "[") {
                guard let set = Self.characterClass(&p) else { return nil }
                atom.set = set
            } else if Self.isLiteral(c) {
                Self.insert(c, into: &atom.set)
            } else {
                return nil
            }
            guard let (min, max) = Self.quantifier(&p) else { return nil }
            (atom.min, atom.max) = (min, max)
            atoms.append(atom)
        }
        guard !atoms.isEmpty else { return nil }
        self.atoms = atoms
    }

    /// Whether the pattern matches the whole value; `nil` when the value is for `Regex` to decide.
    package func wholeMatch(_ value: String) -> Bool? {
        var value = value
        return value.withUTF8 { v -> Bool? in
            guard v.count <= Self.maximumLength, !v.contains(where: { $0 >= 0x80 || $0 == 0x0D }) else { return nil }
            // The positions reachable after each atom, as a set: a sequence without groups needs no backtracking.
            // Not `[Bool](repeating:count:)`, whose unspecialised allocation looks metadata up on every call
            // (ByteArrays.swift in the core).
            var reachable = Array(repeatElement(false, count: v.count + 1))
            reachable[0] = true
            var next = reachable
            for atom in atoms {
                for k in next.indices { next[k] = false }
                var any = false
                for start in 0...v.count where reachable[start] {
                    var count = 0
                    var position = start
                    while true {
                        if count >= atom.min {
                            next[position] = true
                            any = true
                        }
                        guard count < atom.max, position < v.count, atom.contains(v[position]) else { break }
                        count += 1
                        position += 1
                    }
                }
                if !any { return false }
                swap(&reachable, &next)
            }
            return reachable[v.count]
        }
    }

    /// Letters, digits and a few punctuation bytes that stand for themselves outside a class.
    private static func isLiteral(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "/"), UInt8(ascii: ","):
            true
        default: false
        }
    }

    private static func insert(_ c: UInt8, into set: inout (UInt64, UInt64)) {
        if c < 64 { set.0 |= 1 << c } else { set.1 |= 1 << (c - 64) }
    }

    /// `[…]` after its `[`: literals and ranges of letters, digits, `_` and a final `-`; no negation, escapes or
    /// nested classes, and no `:` (`Regex` reads `[:digit:]` as a POSIX class, not as the bytes in it).
    private static func characterClass(_ p: inout ArraySlice<UInt8>) -> (UInt64, UInt64)? {
        var set: (UInt64, UInt64) = (0, 0)
        func plain(_ c: UInt8) -> Bool { isLiteral(c) && c != UInt8(ascii: "-") && c != UInt8(ascii: ":") }
        guard let first = p.first, first != UInt8(ascii: "^"), first != UInt8(ascii: "]") else { return nil }
        while let c = p.first {
            p = p.dropFirst()
            if c == UInt8(ascii: "]") { return set }
            if c == UInt8(ascii: "-"), p.first == UInt8(ascii: "]") {  // a trailing `-` is itself
                insert(c, into: &set)
                continue
            }
            guard plain(c) else { return nil }
            if p.first == UInt8(ascii: "-"), let upper = p.dropFirst().first, upper != UInt8(ascii: "]") {
                guard plain(upper), upper >= c, Self.sameKind(c, upper) else { return nil }
                p = p.dropFirst(2)
                for b in c...upper { insert(b, into: &set) }
            } else {
                insert(c, into: &set)
            }
        }
        return nil  // no closing `]`
    }

    /// Ranges only within digits, lowercase or uppercase letters (`[A-z]` would take punctuation in).
    private static func sameKind(_ a: UInt8, _ b: UInt8) -> Bool {
        func kind(_ c: UInt8) -> Int {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): 0
            case UInt8(ascii: "a")...UInt8(ascii: "z"): 1
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): 2
            default: 3
            }
        }
        return kind(a) == kind(b) && kind(a) != 3
    }

    /// `+`, `*`, `?`, `{n}`, `{n,}` or `{n,m}` (greedy only), or none: the counts.
    private static func quantifier(_ p: inout ArraySlice<UInt8>) -> (Int, Int)? {
        let bounds: (Int, Int)
        switch p.first {
        case UInt8(ascii: "+")?: bounds = (1, .max); p = p.dropFirst()
        case UInt8(ascii: "*")?: bounds = (0, .max); p = p.dropFirst()
        case UInt8(ascii: "?")?: bounds = (0, 1); p = p.dropFirst()
        case UInt8(ascii: "{")?:
            p = p.dropFirst()
            func number() -> Int? {
                var n = 0
                var digits = 0
                while let c = p.first, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9"), digits < 4 {
                    n = n * 10 + Int(c - UInt8(ascii: "0"))
                    digits += 1
                    p = p.dropFirst()
                }
                return digits > 0 ? n : nil
            }
            guard let low = number() else { return nil }
            if p.first == UInt8(ascii: "}") {
                bounds = (low, low)
            } else if p.first == UInt8(ascii: ",") {
                p = p.dropFirst()
                if p.first == UInt8(ascii: "}") {
                    bounds = (low, .max)
                } else {
                    guard let high = number(), high >= low else { return nil }
                    bounds = (low, high)
                }
            } else {
                return nil
            }
            guard p.first == UInt8(ascii: "}") else { return nil }
            p = p.dropFirst()
        default: return (1, 1)
        }
        // A lazy (`+?`) or possessive (`++`) mark, or a second quantifier: for Regex.
        if let c = p.first, c == UInt8(ascii: "?") || c == UInt8(ascii: "+") || c == UInt8(ascii: "*") || c == UInt8(ascii: "{") {
            return nil
        }
        return bounds
    }
}
