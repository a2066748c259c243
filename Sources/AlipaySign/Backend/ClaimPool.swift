#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Read once: glibc's `sysconf(_SC_NPROCESSORS_ONLN)` opens and reads `/sys/devices/system/cpu/online` on every
/// call, and a pool is made for every verifier (`check`'s diagnosis makes one for each key it tries: 3,210 reads of
/// that file over 100,000 exchanges of compare.sh's capture).
private let claimPoolSlotCount = max(4, 2 * Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

/// A fixed set of mutable C resources (OpenSSL contexts, iconv descriptors) that one call at a time may use
/// (docs/BACKEND.md §2): a call claims a free slot (an atomic flag), uses its resource, and releases it; when every
/// slot is busy it makes a resource of its own and destroys it after.
///
/// A slot's resource is made on the first claim, by the claiming thread, so that it comes from that thread's
/// allocator arena rather than next to the other slots' resources; each slot object is padded past two cache lines;
/// and a thread starts its search at a slot hashed from its own address. The flags, reference counts and contexts
/// written on every operation then stay on lines that one core owns.
final class ClaimPool<Resource>: @unchecked Sendable {
    private let slots: [Slot]
    private let make: (Making) -> Resource?
    private let destroy: (Resource) -> Void

    /// What a resource is made for.
    enum Making {
        /// A slot, where it stays for the pool's life; made on the thread that first claims the slot.
        case slot
        /// One call while every slot is busy; destroyed after it.
        case temporary
    }

    /// Slots a pool has: twice the cores, at least 4.
    static var slotCount: Int { claimPoolSlotCount }

    /// One resource, made on its first claim; `busy` guards it.
    final class Slot: @unchecked Sendable {
        let busy = Atomic<Bool>(false)
        var resource: Resource?
        /// 128 bytes that keep this slot's written fields off the cache lines (64 bytes, fetched in pairs by
        /// adjacent-line prefetching) of the slot allocated next to it.
        private let padding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                              UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    }

    /// - Parameters:
    ///   - make: makes a resource; `nil` when it cannot (the call then gets `nil` too).
    ///   - destroy: frees a resource.
    init(make: @escaping (Making) -> Resource?, destroy: @escaping (Resource) -> Void) {
        self.make = make
        self.destroy = destroy
        slots = (0..<Self.slotCount).map { _ in Slot() }
    }

    deinit {
        for slot in slots { if let resource = slot.resource { destroy(resource) } }
    }

    /// Runs `body` with a claimed resource, or with one of its own when every slot is busy; `nil` when no resource
    /// can be made.
    func with<R>(_ body: (Resource) throws -> R) rethrows -> R? {
        let start = Self.firstSlot(among: slots.count)
        for i in 0..<slots.count {
            let slot = slots[(start + i) % slots.count]
            guard slot.busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
                continue
            }
            defer { slot.busy.store(false, ordering: .releasing) }
            if slot.resource == nil { slot.resource = make(.slot) }
            guard let resource = slot.resource else { return nil }
            return try body(resource)
        }
        guard let resource = make(.temporary) else { return nil }
        defer { destroy(resource) }
        return try body(resource)
    }

    /// The slot a thread tries first: the thread's address (`pthread_t`), its page number mixed by a
    /// multiplicative hash, so that threads whose stacks lie a fixed distance apart rarely start at the same slot.
    private static func firstSlot(among count: Int) -> Int {
        let page = UInt64(UInt(bitPattern: Int(bitPattern: pthread_self())) >> 12)
        return Int(((page &* 0x9E37_79B9_7F4A_7C15) >> 32) % UInt64(count))
    }
}
