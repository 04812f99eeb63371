import Foundation

/// A value made on a thread of its own, for start-up work that can overlap other work;
/// `value()` waits for it and gives it, or throws what making it threw.
package final class BackgroundLoad<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchGroup()
    private var result: Result<Value, any Error>?

    /// Makes the value on a new thread; `then`, if given, runs on that thread once the
    /// value is made and given to those waiting for it.
    package init(_ make: @escaping @Sendable () throws -> Value, then: (@Sendable (Value) -> Void)? = nil) {
        done.enter()
        Thread { [self] in
            let made = Result { try make() }
            result = made
            done.leave()
            if let then, case .success(let value) = made { then(value) }
        }.start()
    }

    /// Whether the value is made (or failed) already: asking for it would not wait.
    package var isFinished: Bool { done.wait(timeout: .now()) == .success }

    package func value() throws -> Value {
        done.wait()
        return try result!.get()
    }
}
