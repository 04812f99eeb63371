/// The tokens of PDF object or content-stream text, with where each lies, for the few
/// things CreditPress reads out of Cairo's output: references, names and operators.
/// Strings, comments and inline image data are stepped over, so a `(Do)` shown as text
/// or a `0 R` inside a title is never taken for an operator or a reference.
package struct PDFLexer: IteratorProtocol {
    package enum Kind: Equatable {
        case name, integer, number, keyword, string, open, close
    }

    package struct Token {
        package let kind: Kind
        package let range: Range<Int>
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position: Int

    /// Reads `bytes`, which must outlive the lexer.
    package init(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0) {
        self.bytes = bytes
        self.position = start
    }

    package static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 || byte == 0x0C || byte == 0x00
    }

    package static func isDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "["),
             UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "/"), UInt8(ascii: "%"): true
        default: false
        }
    }

    /// The text of a token.
    package func text(_ token: Token) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[token.range]), as: UTF8.self)
    }

    /// The value of an `integer` token.
    package func integer(_ token: Token) -> Int? {
        token.kind == .integer ? Int(text(token)) : nil
    }

    package mutating func next() -> Token? {
        while position < bytes.count {
            let byte = bytes[position]
            if Self.isSpace(byte) {
                position += 1
            } else if byte == UInt8(ascii: "%") {
                while position < bytes.count, bytes[position] != 0x0A, bytes[position] != 0x0D { position += 1 }
            } else {
                return token(startingWith: byte)
            }
        }
        return nil
    }

    private mutating func token(startingWith byte: UInt8) -> Token {
        let start = position
        switch byte {
        case UInt8(ascii: "("):
            skipLiteralString()
            return Token(kind: .string, range: start..<position)
        case UInt8(ascii: "<"):
            if position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "<") {
                position += 2
                return Token(kind: .open, range: start..<position)
            }
            while position < bytes.count, bytes[position] != UInt8(ascii: ">") { position += 1 }
            position = min(position + 1, bytes.count)
            return Token(kind: .string, range: start..<position)
        case UInt8(ascii: ">"):
            position += position + 1 < bytes.count && bytes[position + 1] == UInt8(ascii: ">") ? 2 : 1
            return Token(kind: .close, range: start..<position)
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            position += 1
            return Token(kind: .open, range: start..<position)
        case UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ")"):
            position += 1
            return Token(kind: .close, range: start..<position)
        case UInt8(ascii: "/"):
            position += 1
            skipRegular()
            return Token(kind: .name, range: start..<position)
        default:
            skipRegular()
            let range = start..<position
            let word = UnsafeBufferPointer(rebasing: bytes[range])
            if word.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return Token(kind: .integer, range: range) }
            if word.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") }) {
                return Token(kind: .number, range: range)
            }
            if word.elementsEqual("ID".utf8) { skipInlineImageData() }
            return Token(kind: .keyword, range: range)
        }
    }

    private mutating func skipRegular() {
        while position < bytes.count, !Self.isSpace(bytes[position]), !Self.isDelimiter(bytes[position]) { position += 1 }
    }

    /// `( … )` with nested parentheses and backslash escapes.
    private mutating func skipLiteralString() {
        var depth = 0
        position += 1
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "\\"): position += 1
            case UInt8(ascii: "("): depth += 1
            case UInt8(ascii: ")"):
                if depth == 0 {
                    position += 1
                    return
                }
                depth -= 1
            default: break
            }
            position += 1
        }
    }

    /// The binary data of an inline image runs from `ID` to an `EI` standing alone.
    private mutating func skipInlineImageData() {
        position += 1
        while position + 2 < bytes.count {
            if bytes[position] == UInt8(ascii: "E"), bytes[position + 1] == UInt8(ascii: "I"),
               Self.isSpace(bytes[position - 1]), Self.isSpace(bytes[position + 2]) || Self.isDelimiter(bytes[position + 2]) {
                return
            }
            position += 1
        }
        position = bytes.count
    }
}

extension PDFLexer {
    /// Where `text` refers to other objects (`12 0 R`): each reference's range and number.
    package static func references(in text: UnsafeBufferPointer<UInt8>) -> [(range: Range<Int>, number: Int)] {
        var lexer = PDFLexer(text)
        var found: [(Range<Int>, Int)] = []
        var previous: Token?, beforePrevious: Token?
        while let token = lexer.next() {
            if token.kind == .keyword, lexer.text(token) == "R", let first = beforePrevious, let number = lexer.integer(first),
               previous?.kind == .integer {
                found.append((first.range.lowerBound..<token.range.upperBound, number))
            }
            beforePrevious = previous
            previous = token
        }
        return found
    }

    /// The `<< … >>` value of `/key` in the dictionary `text` (at its top level), or nil
    /// when the key is missing or its value is not a dictionary written in place.
    package static func subdictionary(_ key: String, in text: String) -> String? {
        subdictionaryRange(key, in: text).map { String(text[$0]) }
    }

    /// Where `subdictionary(key, in: text)` lies in `text`.
    package static func subdictionaryRange(_ key: String, in text: String) -> Range<String.Index>? {
        var copy = text
        let offsets = copy.withUTF8 { buffer -> Range<Int>? in
            var lexer = PDFLexer(buffer)
            var depth = 0
            var start: Int?
            var keyFound = false
            while let token = lexer.next() {
                switch token.kind {
                case .open:
                    depth += 1
                    if keyFound, depth == 2 { start = token.range.lowerBound }
                    keyFound = false
                case .close:
                    depth -= 1
                    if let start, depth == 1 { return start..<token.range.upperBound }
                default:
                    if start == nil { keyFound = depth == 1 && token.kind == .name && lexer.text(token) == "/" + key }
                }
            }
            return nil
        }
        guard let offsets else { return nil }
        let utf8 = text.utf8
        return utf8.index(utf8.startIndex, offsetBy: offsets.lowerBound)..<utf8.index(utf8.startIndex, offsetBy: offsets.upperBound)
    }

    /// The top-level entries of the dictionary `text`, by name (without its slash), each
    /// value as its tokens joined by one space: two writers' layouts of the same value compare
    /// equal. Nil when `text` is not a dictionary.
    package static func entries(_ text: String) -> [String: String]? {
        var text = text
        return text.withUTF8 { buffer -> [String: String]? in
            var lexer = PDFLexer(buffer)
            guard let first = lexer.next(), first.kind == .open, lexer.text(first) == "<<" else { return nil }
            var entries: [String: String] = [:]
            var key: String?
            var value: [String] = []
            var depth = 0
            while let token = lexer.next() {
                let word = lexer.text(token)
                if depth == 0, token.kind == .close {
                    if let key { entries[key] = value.joined(separator: " ") }
                    return entries
                }
                if depth == 0, token.kind == .name, key == nil || !value.isEmpty {
                    if let key { entries[key] = value.joined(separator: " ") }
                    key = String(word.dropFirst())
                    value = []
                    continue
                }
                if token.kind == .open { depth += 1 }
                if token.kind == .close { depth -= 1 }
                // A string as what it says, not how it is escaped: `(en-US)` is `(en\055US)`.
                value.append(token.kind == .string ? "(" + (PDFDictionary.string("S", in: "/S " + word) ?? word) + ")" : word)
            }
            return nil
        }
    }

    /// The `/Name N 0 R` entries of the dictionary `text`, by name (without its slash).
    package static func namedReferences(in text: String) -> [String: Int] {
        var text = text
        return text.withUTF8 { buffer in
            var lexer = PDFLexer(buffer)
            var recent: [Token] = []
            var pairs: [String: Int] = [:]
            while let token = lexer.next() {
                recent.append(token)
                if recent.count > 4 { recent.removeFirst() }
                guard recent.count == 4, token.kind == .keyword, lexer.text(token) == "R", recent[0].kind == .name,
                      let number = lexer.integer(recent[1]), recent[2].kind == .integer else { continue }
                pairs[String(lexer.text(recent[0]).dropFirst())] = number
            }
            return pairs
        }
    }

    /// The operands' names of each `Do` in a content stream, in painting order.
    package static func paintedXObjects(in content: [UInt8]) -> [String] {
        var names: [String] = []
        eachPair(in: content) { lexer, previous, token in
            if previous.kind == .name, lexer.isKeyword(token, "Do") { names.append(String(lexer.text(previous).dropFirst())) }
        }
        return names
    }

    /// Where each marked-content sequence with nothing in it (`BDC` straight followed by
    /// `EMC`) is, in a content stream: the offset just after its `BDC`.
    package static func emptyMarkedContent(in content: [UInt8]) -> [Int] {
        var found: [Int] = []
        eachPair(in: content) { lexer, previous, token in
            if lexer.isKeyword(token, "EMC"), lexer.isKeyword(previous, "BDC") { found.append(previous.range.upperBound) }
        }
        return found
    }

    /// Calls `body` with each token of `content` and the token before it.
    private static func eachPair(in content: [UInt8], _ body: (PDFLexer, Token, Token) -> Void) {
        content.withUnsafeBufferPointer { buffer in
            var lexer = PDFLexer(buffer)
            guard var previous = lexer.next() else { return }
            while let token = lexer.next() {
                body(lexer, previous, token)
                previous = token
            }
        }
    }

    /// Whether `token` is the operator `word`, compared without making a string (content
    /// streams are read for every certificate).
    package func isKeyword(_ token: Token, _ word: StaticString) -> Bool {
        token.kind == .keyword && token.range.count == word.utf8CodeUnitCount
            && UnsafeBufferPointer(rebasing: bytes[token.range]).elementsEqual(
                UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
    }
}
