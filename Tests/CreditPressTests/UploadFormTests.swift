import CreditUpload
import Foundation
import Testing

/// The upload form's file, from well-formed and hostile bodies alike.
struct UploadFormTests {
    static let type = "multipart/form-data; boundary=----B0undary"

    static func body(_ parts: [(headers: String, content: [UInt8])], close: Bool = true) -> [UInt8] {
        var bytes = Array("preamble, ignored\r\n".utf8)
        for part in parts {
            bytes += Array("------B0undary\r\n\(part.headers)\r\n\r\n".utf8) + part.content + Array("\r\n".utf8)
        }
        if close { bytes += Array("------B0undary--\r\n".utf8) }
        return bytes
    }

    @Test func theNamedFileIsTakenFromAmongOtherParts() {
        let pdf = Array("%PDF-1.7\r\n\u{0}\u{FF}binary\r\n--not the boundary\r\n%%EOF".utf8)
        let body = Self.body([("Content-Disposition: form-data; name=\"note\"", Array("hello".utf8)),
                              ("Content-Disposition: form-data; name=\"pdf\"; filename=\"Müller, Zoë.pdf\"\r\nContent-Type: application/pdf", pdf)])
        #expect(UploadForm.file("pdf", in: body, contentType: Self.type, limit: 1 << 20) == .success(pdf))
        #expect(UploadForm.file("pdf", in: body, contentType: Self.type, limit: 10) == .failure(.tooLarge))
    }

    @Test func hostileBodiesAreRefusedNeverTrapped() {
        let high: [UInt8] = Array("------B0undary\r\n".utf8) + [0xC3, 0xBF, 0xFF] + Array(": x\r\n\r\nabc\r\n------B0undary--".utf8)
        #expect(UploadForm.file("pdf", in: high, contentType: Self.type, limit: 100) == .failure(.noFile))
        let unclosed = Self.body([("Content-Disposition: form-data; name=\"pdf\"", Array("%PDF".utf8))], close: false)
        #expect(UploadForm.file("pdf", in: unclosed, contentType: Self.type, limit: 100) == .failure(.noFile))
        for bytes in [[], Array("------B0undary".utf8), Array("------B0undary\r\n".utf8), Array("------B0undary--".utf8),
                      Array(repeating: 0x2D, count: 5000)] {
            #expect(UploadForm.file("pdf", in: bytes, contentType: Self.type, limit: 100) == .failure(.noFile))
        }
        #expect(UploadForm.file("pdf", in: [], contentType: "text/plain", limit: 100) == .failure(.notAForm))
        #expect(UploadForm.boundary(contentType: "multipart/form-data; boundary=\(String(repeating: "x", count: 71))") == nil)
    }
}
