import AlipaySign
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a capture file one exchange at a time, in bounded memory: a HAR 1.2 file (one JSON document, streamed
/// entry by entry) or JSON Lines (one exchange a line). The format is recognised from the first non-blank byte
/// and the first member name.
public final class CaptureReader {
    /// The capture formats read.
    public enum Format: String, Sendable {
        /// HAR 1.2, as browsers' developer tools, mitmproxy, Charles and Fiddler write it.
        case har
        /// One exchange a line, in the project's JSON Lines capture schema.
        case jsonLines = "jsonl"
    }


    /// The format recognised.
    public let format: Format
    private var chunks: ChunkedFile
    private var har: HARScanner?
    private var index = 0
    /// The largest single entry or line accepted.
    public static let maximumEntrySize = 256 << 20

    /// Opens a capture file.
    /// - Parameter path: the file's path.
    /// - Throws: ``CaptureError`` when the file cannot be opened or is neither HAR nor JSON Lines.
    public convenience init(path: String) throws {
        try self.init(chunks: try ChunkedFile(path: path), name: path)
    }

    /// Reads a capture held in memory (tests, fuzzing).
    /// - Parameter contents: the capture's bytes.
    /// - Throws: ``CaptureError`` when it is neither HAR nor JSON Lines.
    public convenience init(contents: [UInt8]) throws {
        try self.init(chunks: ChunkedFile(contents: contents), name: "(in memory)")
    }

    private init(chunks: ChunkedFile, name path: String) throws {
        var chunks = chunks
        guard let first = try chunks.peekFirstNonBlank() else { throw CaptureError("the capture '\(path)' is empty") }
        if first == UInt8(ascii: "{") {
            // A HAR file is one object whose first member is "log"; a JSON Lines file starts with an exchange.
            let head = Array(try chunks.peek(4096))
            let log = ByteSearch.find(Array(#""log""#.utf8), in: head)
            let request = ByteSearch.find(Array(#""request""#.utf8), in: head) ?? head.count
            let isHAR = log.map { $0 < request } ?? false
            format = isHAR ? .har : .jsonLines
        } else {
            throw CaptureError("the capture '\(path)' is neither HAR (a JSON object) nor JSON Lines (one object a line)")
        }
        self.chunks = chunks
        if format == .har { har = HARScanner() }
    }

    /// The bytes read so far, for progress.
    public var bytesRead: Int { chunks.offset }

    /// The next exchange.
    /// - Returns: the exchange, or `nil` at the end.
    /// - Throws: ``CaptureError`` for a capture that cannot be read.
    public func next() throws -> Exchange? {
        try nextEntry().map { try $0.exchange() }
    }

    /// One exchange as it is in the capture: its bytes (a HAR entry or a JSON line) and its position. Reading the
    /// entries is sequential and cheap; making them exchanges (``Entry/exchange()``) can be done on any thread.
    package struct Entry: Sendable {
        /// The entry's bytes.
        package let bytes: [UInt8]
        /// Its position in the capture, from 1.
        package let index: Int
        let format: Format

        /// The exchange the entry holds.
        /// - Throws: ``CaptureError`` when it is not a readable exchange.
        package func exchange() throws -> Exchange {
            switch format {
            case .har: try HAREntry.exchange(bytes, index: index)
            case .jsonLines: try JSONLinesEntry.exchange(bytes, index: index)
            }
        }
    }

    /// The next entry, not yet read as an exchange.
    /// - Returns: the entry, or `nil` at the end.
    /// - Throws: ``CaptureError`` for a capture whose structure cannot be read.
    package func nextEntry() throws -> Entry? {
        switch format {
        case .har:
            guard var scanner = har else { return nil }
            har = nil  // one owner of the scanner's buffers while it reads (no copy on write)
            defer { har = scanner }
            guard let entry = try scanner.nextEntry(from: &chunks) else { return nil }
            index += 1
            return Entry(bytes: entry, index: index, format: .har)
        case .jsonLines:
            while let line = try chunks.nextLine(limit: Self.maximumEntrySize) {
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                index += 1
                return Entry(bytes: line, index: index, format: .jsonLines)
            }
            return nil
        }
    }
}

/// A file read in 1 MiB chunks (plain `read(2)`: no Foundation on the CLI's start-up path).
final class FileDescriptor {
    let fd: Int32
    init(_ fd: Int32) { self.fd = fd }
    deinit { close(fd) }
}

struct ChunkedFile {
    private let file: FileDescriptor?
    private var buffer: [UInt8] = []
    private var position = 0
    private(set) var offset = 0
    private var eof = false

    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw CaptureError("cannot read the capture '\(path)': \(String(cString: strerror(errno)))")
        }
        self.file = FileDescriptor(fd)
    }

    init(contents: [UInt8]) {
        file = nil
        buffer = contents
        eof = true
    }

    private mutating func fill() throws -> Bool {
        guard !eof, let file else { return false }
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: 1 << 20))
        var n = 0
        repeat {
            n = buffer.withUnsafeMutableBytes { read(file.fd, $0.baseAddress! + old, 1 << 20) }
        } while n < 0 && errno == EINTR
        guard n >= 0 else { throw CaptureError("cannot read the capture: \(String(cString: strerror(errno)))") }
        buffer.removeSubrange((old + n)...)
        if n == 0 {
            eof = true
            return false
        }
        return true
    }

    mutating func peekFirstNonBlank() throws -> UInt8? {
        while true {
            while position < buffer.count {
                let c = buffer[position]
                if c == 0xEF || c == 0xBB || c == 0xBF || c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {  // BOM, blanks
                    position += 1
                    offset += 1
                } else {
                    return c
                }
            }
            guard try fill() else { return nil }
        }
    }

    mutating func peek(_ count: Int) throws -> ArraySlice<UInt8> {
        while buffer.count - position < count, try fill() {}
        return buffer[position..<min(buffer.count, position + count)]
    }

    /// Whether bytes remain (reading the next chunk when the current one is used up).
    mutating func hasUnread() throws -> Bool {
        if position < buffer.count { return true }
        return try fill()
    }

    /// Calls `body` with the unread bytes of the current chunk.
    func withUnread<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[position...])) }
    }

    /// Marks `count` bytes of the current chunk read.
    mutating func advance(_ count: Int) {
        position += count
        offset += count
    }

    /// The next line without its line end; `nil` at the end.
    mutating func nextLine(limit: Int) throws -> [UInt8]? {
        var line: [UInt8] = []
        while true {
            if position >= buffer.count {
                guard try fill() else { return line.isEmpty ? nil : line }
            }
            let start = position
            let found = buffer.withUnsafeBufferPointer { b in
                memchr(b.baseAddress! + start, 0x0A, b.count - start).map { b.baseAddress!.distance(to: $0.assumingMemoryBound(to: UInt8.self)) }
            }
            if let nl = found {
                line.append(contentsOf: buffer[position..<nl])
                offset += nl + 1 - position
                position = nl + 1
                if line.last == 0x0D { line.removeLast() }
                return line
            }
            line.append(contentsOf: buffer[position...])
            offset += buffer.count - position
            position = buffer.count
            if line.count > limit { throw CaptureError("a line of the capture is larger than \(limit >> 20) MiB") }
        }
    }
}

/// Finds the elements of `log.entries` in a HAR document read byte by byte, keeping only the current entry.
struct HARScanner {
    private struct Frame {
        let isObject: Bool
        var key: [UInt8] = []
        var expectingKey = true
    }

    private var stack: [Frame] = []
    private var inString = false
    private var escaped = false
    private var stringIsKey = false
    private var keyBuffer: [UInt8] = []
    private var entriesDepth: Int?
    private var sawEntries = false
    private var capturing = false
    private var entry: [UInt8] = []

    mutating func nextEntry(from file: inout ChunkedFile) throws -> [UInt8]? {
        while try file.hasUnread() {
            let (consumed, done) = try file.withUnread { try scan($0) }
            file.advance(consumed)
            if done {
                let entry = self.entry
                self.entry = []
                return entry
            }
        }
        if !stack.isEmpty || inString { throw CaptureError("the HAR file ends early: it is truncated") }
        if !sawEntries { throw CaptureError("the file is JSON but has no log.entries: it is not a HAR file") }
        return nil
    }

    /// Scans one chunk: returns how many bytes were used and whether an entry ended there. Inside a string that
    /// is not a member name, the next quote or backslash is found with `memchr`, so a capture's long bodies cost
    /// next to nothing; the structure outside strings is read byte by byte. The current entry's bytes are copied
    /// in runs, not byte by byte.
    private mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) throws -> (Int, Bool) {
        guard let base = bytes.baseAddress else { return (0, false) }
        let count = bytes.count
        var i = 0
        var runStart = capturing ? 0 : -1
        func keep(upTo end: Int) throws {
            guard runStart >= 0, end > runStart else { return }
            entry.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: end - runStart))
            runStart = end
            if entry.count > CaptureReader.maximumEntrySize {
                throw CaptureError("a HAR entry is larger than \(CaptureReader.maximumEntrySize >> 20) MiB")
            }
        }
        while i < count {
            if inString {
                if escaped {
                    escaped = false
                    i += 1
                    continue
                }
                // The next quote or backslash of this chunk.
                let rest = count - i
                let quote = memchr(base + i, Int32(UInt8(ascii: "\"")), rest).map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) }
                let slash = memchr(base + i, Int32(UInt8(ascii: "\\")), (quote ?? count) - i).map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) }
                let stop = slash ?? quote ?? count
                if stringIsKey, keyBuffer.count < 64, stop > i {
                    let take = min(stop - i, 64 - keyBuffer.count)
                    keyBuffer.append(contentsOf: UnsafeBufferPointer(start: base + i, count: take))
                }
                guard stop < count else {
                    i = count
                    break
                }
                if stop == slash {
                    escaped = true
                } else {
                    inString = false
                    if stringIsKey, !stack.isEmpty { stack[stack.count - 1].key = keyBuffer }
                }
                i = stop + 1
                continue
            }
            let c = base[i]
            i += 1
            switch c {
            case UInt8(ascii: "\""):
                inString = true
                stringIsKey = stack.last.map { $0.isObject && $0.expectingKey } ?? false
                keyBuffer.removeAll(keepingCapacity: true)
            case UInt8(ascii: ":"):
                if !stack.isEmpty { stack[stack.count - 1].expectingKey = false }
            case UInt8(ascii: ","):
                if let last = stack.last, last.isObject { stack[stack.count - 1].expectingKey = true }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if let depth = entriesDepth, stack.count == depth, !capturing {
                    guard c == UInt8(ascii: "{") else { throw CaptureError("a HAR entry is not an object") }
                    capturing = true
                    entry = []
                    runStart = i - 1
                }
                stack.append(Frame(isObject: c == UInt8(ascii: "{")))
                if c == UInt8(ascii: "["), stack.count == 3, stack[0].key == Self.log, stack[1].key == Self.entries {
                    entriesDepth = 3
                    sawEntries = true
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard let top = stack.popLast(), top.isObject == (c == UInt8(ascii: "}")) else {
                    throw CaptureError("the HAR file is not well-formed JSON (a mismatched '\(Character(Unicode.Scalar(c)))')")
                }
                if let depth = entriesDepth, stack.count == depth - 1 { entriesDepth = nil }
                if capturing, let depth = entriesDepth, stack.count == depth {
                    capturing = false
                    try keep(upTo: i)
                    return (i, true)
                }
            default:
                break
            }
        }
        try keep(upTo: i)
        return (i, false)
    }

    private static let log = Array("log".utf8)
    private static let entries = Array("entries".utf8)
}
