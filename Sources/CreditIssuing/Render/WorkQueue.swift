import Foundation

/// A first-in first-out queue between threads; `put` waits while it holds `capacity` items.
package final class WorkQueue<Item: Sendable>: @unchecked Sendable {
    private var items: [Item] = []
    private var head = 0
    private var closed = false
    private let capacity: Int
    private let condition = NSCondition()

    package init(capacity: Int = .max) {
        self.capacity = capacity
    }

    package func put(_ item: Item) {
        condition.lock()
        while items.count - head >= capacity { condition.wait() }
        items.append(item)
        condition.broadcast()
        condition.unlock()
    }

    /// The next item, waiting for one; nil once the queue is closed and empty.
    package func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !closed { condition.wait() }
        return pop()
    }

    /// The next item if there is one now.
    package func poll() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        return pop()
    }

    private func pop() -> Item? {
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head > 1024 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return item
    }

    /// No more items will be put; waiting takers get nil once the queue is empty.
    package func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
