/// PDF objects read out of one file to be written into others, under new numbers each
/// time: artwork and text Cairo draws once, which every certificate then copies instead of
/// drawing. The first `rootCount` objects are the ones the receiving file points at; the
/// rest are what they use, shared among them (fonts, for text).
package final class PDFObjectSet: Sendable {
    /// One of the objects the receiving file points at: an object of the source file as it
    /// is, or a dictionary (and stream) written for the receiving file.
    package enum Root {
        case object(Int)
        case written(dictionary: String, stream: ArraySlice<UInt8>?)
    }

    /// Part of an object's body: bytes as they are, or a reference to the set's object at an index.
    package enum Piece: Sendable {
        case bytes([UInt8])
        case reference(Int)
    }

    /// The objects' bodies (what goes between `obj` and `endobj`), roots first.
    package let objects: [[Piece]]
    package let rootCount: Int

    /// The set made of `roots` and every object of `source` they reach.
    package init(roots: [Root], from source: PDFIndex) throws(PDFStructureError) {
        var indexOf: [Int: Int] = [:]
        var queue: [Int] = []
        func pieces(_ text: String, stream: ArraySlice<UInt8>?) -> [Piece] {
            var bytes = Array(text.utf8)
            let references = bytes.withUnsafeBufferPointer { PDFLexer.references(in: $0) }
            var result: [Piece] = []
            var cursor = 0
            for (range, number) in references {
                result.append(.bytes(Array(bytes[cursor..<range.lowerBound])))
                if indexOf[number] == nil {
                    indexOf[number] = roots.count + queue.count
                    queue.append(number)
                }
                result.append(.reference(indexOf[number]!))
                cursor = range.upperBound
            }
            bytes.removeFirst(cursor)
            if let stream {
                bytes += Array("\nstream\n".utf8) + stream + Array("\nendstream".utf8)
            }
            result.append(.bytes(bytes))
            return result
        }
        // Roots taken from the source keep their place at the front.
        for (index, root) in roots.enumerated() {
            if case .object(let number) = root { indexOf[number] = index }
        }
        var objects: [[Piece]] = []
        for root in roots {
            switch root {
            case .object(let number):
                let text = try source.object(number)
                objects.append(pieces(text, stream: text.hasPrefix("<<") ? try source.streamIfAny(number) : nil))
            case .written(let dictionary, let stream):
                objects.append(pieces(dictionary, stream: stream))
            }
        }
        var next = 0
        while next < queue.count {
            guard queue.count < 10_000 else { throw PDFStructureError("the prepared drawing refers to too many objects") }
            let number = queue[next]
            next += 1
            let text = try source.object(number)
            let data = text.hasPrefix("<<") ? try source.streamIfAny(number) : nil
            objects.append(pieces(text, stream: data))
        }
        self.objects = objects
        self.rootCount = roots.count
    }

    /// Each object's body, the set's object `i` numbered `numbers[i]`.
    package func bodies(numbered numbers: [Int]) -> [[UInt8]] {
        precondition(numbers.count == objects.count, "one number per object")
        return objects.map { pieces in
            var body: [UInt8] = []
            for piece in pieces {
                switch piece {
                case .bytes(let bytes): body += bytes
                case .reference(let index): body += Array("\(numbers[index]) 0 R".utf8)
                }
            }
            return body
        }
    }
}
