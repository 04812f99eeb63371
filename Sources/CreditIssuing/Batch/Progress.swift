import Foundation

/// Progress on a terminal: done/total, rate and time left; silent when output is not a terminal.
package final class BatchProgress {
    package let enabled: Bool
    package var total = 0
    private let started = Date()
    private var last = Date.distantPast

    package init(enabled: Bool) {
        self.enabled = enabled && isatty(STDERR_FILENO) != 0
    }

    package func report(done: Int, force: Bool = false) {
        guard enabled, force || Date().timeIntervalSince(last) >= 0.25 else { return }
        last = Date()
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        let rate = Double(done) / elapsed
        FileHandle.standardError.write(Data(String(format: "\r%d/%d rows  %.0f/s  %.0f s", done, total, rate, elapsed).utf8))
    }

    package func finish(done: Int) {
        guard enabled else { return }
        report(done: done, force: true)
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
