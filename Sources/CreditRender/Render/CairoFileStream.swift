import CPangoCairo
import CreditRecords
import Foundation

/// Where a Cairo PDF surface writes a file: through a buffer to `OutputFile`, so that a
/// write the system refuses keeps its cause (a full disk, read-only media) instead of
/// Cairo's "error while writing to output stream".
final class CairoFileStream {
    private let file: OutputFile
    private var buffer = Data()
    /// The first refused write; Cairo is told of it and stops writing.
    private(set) var failure: RenderError?
    private let reportAs: String

    init(url: URL, reportAs: String) throws(RenderError) {
        file = try OutputFile(url: url, truncate: true)
        self.reportAs = reportAs
        buffer.reserveCapacity(Self.bufferSize)
    }

    private static let bufferSize = 1 << 16

    /// A PDF surface writing here; the stream is kept alive by `retained` until `release()`.
    func surface(width: Double, height: Double) -> OpaquePointer? {
        cairo_pdf_surface_create_for_stream({ closure, bytes, length in
            guard let closure, let bytes else { return CAIRO_STATUS_WRITE_ERROR }
            let stream = Unmanaged<CairoFileStream>.fromOpaque(closure).takeUnretainedValue()
            return stream.write(bytes, count: Int(length)) ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR
        }, Unmanaged.passUnretained(self).toOpaque(), width, height)
    }

    private func write(_ bytes: UnsafePointer<UInt8>, count: Int) -> Bool {
        guard failure == nil else { return false }
        buffer.append(bytes, count: count)
        if buffer.count >= Self.bufferSize { return flush() }
        return true
    }

    /// Writes what is buffered; false once a write was refused.
    @discardableResult
    func flush() -> Bool {
        guard failure == nil else { return false }
        guard !buffer.isEmpty else { return true }
        do {
            try file.append(buffer)
            buffer.removeAll(keepingCapacity: true)
            return true
        } catch {
            var error = error
            error.file = reportAs
            failure = error
            return false
        }
    }

    /// Flushes the buffer and the file to the disk, and closes it; the first failure is thrown.
    func finish(durable: Bool) throws(RenderError) {
        flush()
        if let failure { throw failure }
        if durable { try file.sync() }
        file.close()
    }
}
