import CreditPDF
import Crypto
import Foundation

/// The measured signature room of each identity, by its certificate's digest.
private enum RoomCache {
    static let lock = NSLock()
    nonisolated(unsafe) static var rooms: [[UInt8]: Int] = [:]
}

/// How the PDF is signed.
public struct PDFSignatureOptions: Sendable {
    /// The signing time, written as `/M` (PAdES keeps it out of the CMS).
    public var time: Date
    /// A DocMDP certification signature allowing form filling and further signatures (P=2).
    public var certify: Bool = false
    public var reason: String?
    public var location: String?
    /// Room for the CMS, in bytes. 8 KiB holds a signature with a short chain; a time-stamp
    /// token adds 2–5 KiB.
    public var capacity: Int = 16_384

    /// 8 KiB, or 16 KiB with a time-stamp token.
    public static func defaultCapacity(timestamped: Bool) -> Int { timestamped ? 16_384 : 8_192 }

    /// The room `identity`'s signatures need: without a time-stamp authority, the size of
    /// its CMS (measured once per identity by signing a zero digest) and 64 bytes for an
    /// ECDSA value's varying length, rounded up to 256 — about 1.5 KiB for a P-256 key and a
    /// short chain, where 8 KiB of room was 16 KiB of hexadecimal zeros in every file; with
    /// one, 16 KiB (a token's size is the authority's).
    public static func capacity(for identity: SigningIdentity) -> Int {
        guard identity.timestampURL == nil else { return defaultCapacity(timestamped: true) }
        let key = identity.certificateSHA256
        if let known = RoomCache.lock.withLock({ RoomCache.rooms[key] }) { return known }
        let zero = SHA256.hash(data: [UInt8]())
        guard let size = try? CMSSignature.sign(digest: zero, identity: identity, timestamp: nil).count else {
            return defaultCapacity(timestamped: false)
        }
        let room = (size + 64 + 255) / 256 * 256
        RoomCache.lock.withLock { RoomCache.rooms[key] = room }
        return room
    }

    public init(time: Date, certify: Bool = false, reason: String? = nil) {
        self.time = time
        self.certify = certify
        self.reason = reason
    }
}

/// Signs a PDF Cairo wrote with a PAdES signature, in the same revision that `PDFFinisher`
/// puts the prepared artwork and accessibility facts in.
public enum PDFSigner {
    public static let fieldName = "CreditPress signature"
    /// The document information entry holding the QR code's text.
    public static let payloadKey = "CreditPressVerification"

    /// The PDF with the accessibility facts added and, when `signing` is given, signed.
    /// `signature` makes the CMS for the SHA-256 of the signed ranges; pass a stored one to
    /// reproduce an issued file byte for byte.
    /// `info` adds entries to the document information dictionary. `forms` go where the page
    /// was drawn without them (see `PreparedForm.place`), before anything is signed.
    package static func finish(_ pdf: [UInt8], forms: [PreparedForm.Placement] = [], accessibility: PDFAccessibility,
                       info: [String: String] = [:],
                       signing: (options: PDFSignatureOptions, signature: (SHA256.Digest) throws -> [UInt8])?) throws -> [UInt8] {
        guard let (options, signature) = signing else {
            return try PDFFinisher.finish(pdf, forms: forms, accessibility: accessibility, info: info)
        }
        var (update, catalogEntries) = try PDFFinisher.update(pdf, forms: forms, accessibility: accessibility, info: info)
        let pageNumber = try update.base.firstPage()
        let signatureNumber = update.reserve()
        let fieldNumber = update.reserve()

        catalogEntries += "\n/AcroForm << /Fields [ \(fieldNumber) 0 R ] /SigFlags 3 >>"
        if options.certify { catalogEntries += "\n/Perms << /DocMDP \(signatureNumber) 0 R >>" }
        try update.replace(update.base.root, with: PDFDictionary.adding(catalogEntries, to: update.base.object(update.base.root)))

        let page = try update.base.object(pageNumber)
        // By bytes: Foundation's substring search costs more than the rest of this.
        let pageBytes = Array(page.utf8), annots = Array("/Annots".utf8)
        if let open = PDFIndex.firstRange(of: annots, in: pageBytes, from: 0, limit: pageBytes.count) {
            let after = open + annots.count
            guard let bracket = pageBytes[after...].firstIndex(of: UInt8(ascii: "[")),
                  pageBytes[after..<bracket].allSatisfy(PDFLexer.isSpace) else {
                throw PDFStructureError("the first page's /Annots is not an inline array")
            }
            var edited = pageBytes
            edited.insert(contentsOf: Array(" \(fieldNumber) 0 R".utf8), at: bracket + 1)
            update.replace(pageNumber, with: String(decoding: edited, as: UTF8.self))
        } else {
            try update.replace(pageNumber, with: PDFDictionary.adding("/Annots [ \(fieldNumber) 0 R ]", to: page))
        }

        let byteRangePlaceholder = "/ByteRange [ 0 \(String(repeating: "0", count: 10)) \(String(repeating: "0", count: 10)) \(String(repeating: "0", count: 10)) ]"
        var signatureDictionary = """
            << /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached
               \(byteRangePlaceholder)
               /Contents <\(String(decoding: [UInt8](repeating: 0x30, count: options.capacity * 2), as: UTF8.self))>
               /M \(PDFText.string(PDFText.date(options.time)))
            """
        if let reason = options.reason { signatureDictionary += "\n   /Reason \(PDFText.string(reason))" }
        if let location = options.location { signatureDictionary += "\n   /Location \(PDFText.string(location))" }
        if options.certify {
            signatureDictionary += "\n   /Reference [ << /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P 2 /V /1.2 >> >> ]"
        }
        signatureDictionary += "\n>>"
        update.set(signatureNumber, to: signatureDictionary)
        update.set(fieldNumber, to: """
            << /Type /Annot /Subtype /Widget /FT /Sig /T \(PDFText.string(fieldName))
               /V \(signatureNumber) 0 R /F 132 /Rect [ 0 0 0 0 ] /P \(pageNumber) 0 R >>
            """)

        var (output, offsets) = update.serialize()
        guard let signatureAt = offsets[signatureNumber],
              let byteRangeAt = PDFIndex.firstRange(of: Array(byteRangePlaceholder.utf8), in: output, from: signatureAt, limit: 256),
              let holeStart = PDFIndex.firstRange(of: Array("/Contents <".utf8), in: output, from: byteRangeAt, limit: 200).map({ $0 + 10 }) else {
            throw PDFStructureError("the signature placeholder went missing")
        }
        let holeEnd = holeStart + options.capacity * 2 + 2
        let ranges = [0, holeStart, holeEnd, output.count - holeEnd]
        var byteRange = Array(("/ByteRange [ " + ranges.map(String.init).joined(separator: " ") + " ]").utf8)
        guard byteRange.count <= byteRangePlaceholder.utf8.count else {
            throw PDFStructureError("the file is too large for its signature's byte range (\(output.count) bytes)")
        }
        byteRange += [UInt8](repeating: UInt8(ascii: " "), count: byteRangePlaceholder.utf8.count - byteRange.count)
        output.replaceSubrange(byteRangeAt..<(byteRangeAt + byteRange.count), with: byteRange)

        var hash = SHA256()
        hash.update(data: output[0..<holeStart])
        hash.update(data: output[holeEnd...])
        let cms = try signature(hash.finalize())
        guard cms.count <= options.capacity else {
            throw PDFStructureError("the signature (\(cms.count) bytes) is larger than the room left for it (\(options.capacity) bytes)")
        }
        let hex = PDFText.hex(cms)
        output.replaceSubrange((holeStart + 1)..<(holeStart + 1 + hex.count), with: hex)
        return output
    }
}
