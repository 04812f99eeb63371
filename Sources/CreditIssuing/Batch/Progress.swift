import Foundation

/// Progress on a terminal: done/total, rate and time left; silent when output is not a terminal.
package final class BatchProgress {
    package let enabled: Bool
    package var total = 0
    private let started = ContinuousClock.now
    private var last: ContinuousClock.Instant?

    package init(enabled: Bool) {
        self.enabled = enabled && isatty(STDERR_FILENO) != 0
    }

    package func report(done: Int, force: Bool = false) {
        let now = ContinuousClock.now
        guard enabled, force || last.map({ now - $0 >= .milliseconds(250) }) ?? true else { return }
        last = now
        let elapsed = max(Double((now - started) / .milliseconds(1)) / 1000, 0.001)
        let rate = Double(done) / elapsed
        FileHandle.standardError.write(Data(String(format: "\r%d/%d rows  %.0f/s  %.0f s", done, total, rate, elapsed).utf8))
    }

    package func finish(done: Int) {
        guard enabled else { return }
        report(done: done, force: true)
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
