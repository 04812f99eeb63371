/// PDF objects read out of one file to be written into others, under new numbers each
/// time: artwork Cairo draws once, which every certificate then copies instead of drawing.
struct PDFObjectSet: Sendable {
    /// Part of an object's body: bytes as they are, or a reference to the set's object at an index.
    enum Piece: Sendable {
        case bytes([UInt8])
        case reference(Int)
    }

    /// The objects' bodies (what goes between `obj` and `endobj`). The first is the root:
    /// the one the file that receives the set points at.
    private(set) var objects: [[Piece]] = []

    /// The set made of `root` — a dictionary written for the receiving file, referring to
    /// objects of `source`, and an optional stream — and every object of `source` it reaches.
    init(root dictionary: String, stream: ArraySlice<UInt8>? = nil, from source: PDFIndex) throws(PDFStructureError) {
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
                    indexOf[number] = indexOf.count + 1
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
        var objects = [pieces(dictionary, stream: stream)]
        var next = 0
        while next < queue.count {
            guard queue.count < 10_000 else { throw PDFStructureError("the artwork refers to too many objects") }
            let number = queue[next]
            next += 1
            let text = try source.object(number)
            let data = text.hasPrefix("<<") ? try source.streamIfAny(number) : nil
            objects.append(pieces(text, stream: data))
        }
        self.objects = objects
    }

    /// Each object's body, the set's object `i` numbered `numbers[i]`.
    func bodies(numbered numbers: [Int]) -> [[UInt8]] {
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

extension PDFIndex {
    /// The stream data of object `number`, or nil when it is a dictionary without one.
    func streamIfAny(_ number: Int) throws(PDFStructureError) -> ArraySlice<UInt8>? {
        guard let offset = offsets[number],
              let end = Self.firstRange(of: Array("endobj".utf8), in: bytes, from: offset, limit: bytes.count),
              Self.firstRange(of: Array("stream".utf8), in: bytes, from: offset, limit: end - offset) != nil else { return nil }
        return try stream(number).data
    }
}
