import Foundation

/// The file of an upload form (`multipart/form-data`, RFC 7578), taken from the bytes a
/// browser or a script sent: what the service's upload page and the fuzz harness both
/// read. Any input gives a file or a refusal, never a trap and never more than one pass
/// over the bytes per part.
///
/// Written here rather than taken from multipart-kit (4.7.1, the version available): its
/// parser traps, taking the whole server down, on a part header whose name holds a byte
/// above 0x7F (an index past its 128-entry table) — found by fuzzing this upload. Only
/// what an upload form needs is read: each part's `Content-Disposition` name and its body.
public enum UploadForm {
    public enum Refusal: Error, Equatable, Sendable {
        /// Not a multipart form, or one without a boundary.
        case notAForm
        /// The form holds no file under the field's name, an empty one, or is malformed.
        case noFile
        /// The file is larger than the limit.
        case tooLarge
    }

    /// The most a part's headers may take: a browser sends a few hundred bytes.
    static let maximumHeaderBytes = 16 * 1024

    /// The boundary a `Content-Type` header names, if it is a multipart form (RFC 2046:
    /// 1 to 70 characters).
    public static func boundary(contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        let parameter = contentType.split(separator: ";").lazy.map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.lowercased().hasPrefix("boundary=") }
        guard let value = parameter?.dropFirst(9).trimmingCharacters(in: CharacterSet(charactersIn: "\"")),
              !value.isEmpty, value.utf8.count <= 70, value.allSatisfy(\.isASCII) else { return nil }
        return value
    }

    /// The bytes of the file field `field` in `body`, at most `limit` of them.
    public static func file(_ field: String, in body: [UInt8], contentType: String, limit: Int) -> Result<[UInt8], Refusal> {
        guard let boundary = boundary(contentType: contentType) else { return .failure(.notAForm) }
        let data = Data(body)
        let delimiter = Data("--\(boundary)".utf8)
        let crlf = Data("\r\n".utf8), blankLine = Data("\r\n\r\n".utf8)
        // The first delimiter opens the body or follows a line break (a preamble is ignored).
        guard var at = data.starts(with: delimiter) ? data.startIndex : data.range(of: crlf + delimiter).map({ $0.lowerBound + 2 }) else {
            return .failure(.noFile)
        }
        while true {
            var cursor = at + delimiter.count
            // "--" after a delimiter closes the form.
            if data[cursor...].starts(with: Data("--".utf8)) { return .failure(.noFile) }
            // Transport padding, then the line break that ends the delimiter line.
            while cursor < data.endIndex, data[cursor] == 0x20 || data[cursor] == 0x09 { cursor += 1 }
            guard data[cursor...].starts(with: crlf) else { return .failure(.noFile) }
            cursor += 2
            // The part's headers end at the first blank line (or at once, with none).
            let headers: Data
            if data[cursor...].starts(with: crlf) {
                headers = Data()
                cursor += 2
            } else {
                let searched = data[cursor..<min(data.endIndex, cursor + maximumHeaderBytes)]
                guard let end = searched.range(of: blankLine) else { return .failure(.noFile) }
                headers = data[cursor..<end.lowerBound]
                cursor = end.upperBound
            }
            // The part's body runs to the line break before the next delimiter.
            guard let next = data[cursor...].range(of: crlf + delimiter) else { return .failure(.noFile) }
            if name(in: headers) == field {
                let size = next.lowerBound - cursor
                if size > limit { return .failure(.tooLarge) }
                return size == 0 ? .failure(.noFile) : .success(Array(data[cursor..<next.lowerBound]))
            }
            at = next.lowerBound + 2
        }
    }

    /// The `name` of the part's `Content-Disposition: form-data; name="pdf"; …` header.
    static func name(in headers: Data) -> String? {
        for line in headers.split(separator: 0x0A) {
            let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let colon = text.firstIndex(of: ":"),
                  text[..<colon].trimmingCharacters(in: .whitespaces).lowercased() == "content-disposition" else { continue }
            for parameter in text[text.index(after: colon)...].split(separator: ";") {
                let pair = parameter.trimmingCharacters(in: .whitespaces)
                guard pair.lowercased().hasPrefix("name=") else { continue }
                return pair.dropFirst(5).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }
}
