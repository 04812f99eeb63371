import Foundation

/// A value made on a thread of its own, for start-up work that can overlap other work;
/// `value()` waits for it and gives it, or throws what making it threw.
final class BackgroundLoad<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchGroup()
    private var result: Result<Value, any Error>?

    init(_ make: @escaping @Sendable () throws -> Value) {
        done.enter()
        Thread { [self] in
            result = Result { try make() }
            done.leave()
        }.start()
    }

    func value() throws -> Value {
        done.wait()
        return try result!.get()
    }
}
