import Foundation
import Synchronization

/// Issued files recently downloaded, by certificate id and digest, checked once against
/// the registry's digest when read from the database. Bounded by count and bytes; the
/// oldest go first. Whose file it is and whether it still stands are asked of the registry
/// on every download, never cached.
final class FileCache: Sendable {
    private struct State {
        var files: [String: [UInt8]] = [:]
        var order: [String] = []
        var bytes = 0
    }

    private let state = Mutex(State())
    let maximumFiles: Int
    let maximumBytes: Int

    init(maximumFiles: Int = 512, maximumBytes: Int = 64 << 20) {
        (self.maximumFiles, self.maximumBytes) = (maximumFiles, maximumBytes)
    }

    private static func key(_ id: String, _ digest: String) -> String { "\(id) \(digest)" }

    func file(id: String, digest: String) -> [UInt8]? {
        state.withLock { $0.files[Self.key(id, digest)] }
    }

    func keep(_ bytes: [UInt8], id: String, digest: String) {
        let key = Self.key(id, digest)
        state.withLock { state in
            guard state.files[key] == nil, bytes.count <= maximumBytes / 4 else { return }
            state.files[key] = bytes
            state.order.append(key)
            state.bytes += bytes.count
            while state.order.count > maximumFiles || state.bytes > maximumBytes, !state.order.isEmpty {
                let oldest = state.order.removeFirst()
                state.bytes -= state.files.removeValue(forKey: oldest)?.count ?? 0
            }
        }
    }
}
