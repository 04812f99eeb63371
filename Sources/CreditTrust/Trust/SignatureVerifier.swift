import CreditPDF
import CreditRecords
import Crypto
import Foundation
import SwiftASN1
import X509

/// What checking a PDF's signature found.
public struct SignatureReport: Sendable {
    public var fieldName: String?
    public var subFilter: String?
    public var signer: String?
    public var signerCertificate: Certificate?
    /// Every certificate the signature carries.
    public var certificates: [Certificate] = []
    public var signingTime: String?
    /// The time-stamp authority's time, for B-T signatures.
    public var timestamp: Date?
    public var timestampAuthority: String?
    public var byteRange: [Int] = []
    public var fileLength = 0
    /// Where the signed revision ends: the whole file unless something was added later.
    public var signedLength: Int?
    /// Signers of signatures added after this one.
    public var laterSignatures: [String] = []
    public var certified = false
    /// Everything that was checked, in order, with its outcome.
    public var checks: [(name: String, passed: Bool, detail: String)] = []

    public var isValid: Bool { !checks.isEmpty && checks.allSatisfy(\.passed) }
    public var level: String {
        timestamp != nil ? "PAdES B-T" : "PAdES B-B"
    }

    package mutating func check(_ name: String, _ passed: Bool, _ detail: String) {
        checks.append((name, passed, detail))
    }
}

/// Checks the PAdES signature of a CreditPress PDF against trusted root certificates.
public struct SignatureVerifier {
    public let roots: [Certificate]
    /// What "now" is when a signature names no time of its own.
    public let clock: any CreditClock

    public init(roots: [Certificate], clock: any CreditClock) {
        self.roots = roots
        self.clock = clock
    }

    /// Reports on the file's last signature; a file with none gets one failed check.
    public func verify(_ pdf: [UInt8]) -> SignatureReport {
        var report = SignatureReport()
        report.fileLength = pdf.count
        guard let dictionary = Self.firstSignatureDictionary(in: pdf) ?? Self.signatureDictionaries(in: pdf).first else {
            report.check("signature present", false, "the file carries no signature")
            return report
        }
        report.fieldName = PDFSigner.fieldName
        report.subFilter = PDFDictionary.name("SubFilter", in: dictionary.text)
        let claimedTime = Self.pdfDate(PDFDictionary.string("M", in: dictionary.text))
        report.signingTime = claimedTime.map { ISO8601DateFormatter().string(from: $0) }
        report.certified = dictionary.text.contains("/DocMDP")
        report.check("PAdES format", report.subFilter == "ETSI.CAdES.detached",
                     "sub-filter /\(report.subFilter ?? "none")")

        // The byte range: from the start, around exactly the /Contents hole, to the end.
        let range = dictionary.byteRange
        report.byteRange = range
        guard range.count == 4, range[0] == 0, range[1] >= 0, range[2] > range[1], range[3] >= 0,
              range[2] + range[3] <= pdf.count, range[1] < pdf.count, pdf[range[1]] == UInt8(ascii: "<"),
              pdf[range[2] - 1] == UInt8(ascii: ">") else {
            report.check("byte range", false, "the byte range \(range) does not frame the signature value")
            return report
        }
        let hole = Array(pdf[(range[1] + 1)..<(range[2] - 1)])
        report.check("byte range", true, "signed bytes 0–\(range[1]) and \(range[2])–\(range[2] + range[3])")
        let covered = range[2] + range[3]
        report.signedLength = covered
        if covered == pdf.count {
            report.check("changes after signing", true, "none: the signature covers the whole file")
        } else {
            let later = LaterRevisions.judge(pdf, signedLength: covered)
            let signatures = later.signatures.map { "a signature by \($0.signer) (\($0.intact ? "intact" : "ALTERED"))" }
            let added = signatures.isEmpty ? "\(later.objectsAdded) objects" : signatures.joined(separator: ", ")
            report.laterSignatures = later.signatures.map(\.signer)
            report.check("changes after signing", later.allowed, later.allowed
                ? "\(pdf.count - covered) bytes added later: \(added); \(report.certified ? "the certification allows it" : "nothing that changes the pages")"
                : "\(pdf.count - covered) bytes added later: " + (later.disallowed + later.signatures.filter { !$0.intact }.map { "the later signature by \($0.signer) does not match its bytes" })
                    .joined(separator: "; "))
        }

        guard let der = Self.hexBytes(hole) else {
            report.check("signature value", false, "the /Contents value is not hexadecimal")
            return report
        }
        let cms: CMSSignedDataReader
        do {
            cms = try CMSSignedDataReader(der)
        } catch {
            report.check("signature value", false, "the CMS \(error)")
            return report
        }
        var hash = SHA256()
        hash.update(data: pdf[0..<range[1]])
        hash.update(data: pdf[range[2]..<covered])
        let digest = Array(hash.finalize())
        report.check("content unchanged", cms.messageDigest == digest,
                     cms.messageDigest == digest ? "the SHA-256 of the signed bytes matches the signed digest"
                                                : "the signed bytes were changed after signing")
        let attributeTypes = Set(cms.signedAttributes.keys)
        let expected: Set<ASN1ObjectIdentifier> = [OIDs.contentType, OIDs.messageDigest, OIDs.signingCertificateV2]
        report.check("signed attributes", attributeTypes == expected,
                     attributeTypes == expected ? "content-type, message-digest, signing-certificate-v2"
                                                : "expected exactly content-type, message-digest and signing-certificate-v2")
        guard let signer = cms.signerCertificate else {
            report.check("signer's certificate", false, "the CMS does not carry the signer's certificate")
            return report
        }
        report.signer = signer.subject.description
        report.signerCertificate = signer
        report.certificates = cms.certificates
        report.check("signature", cms.signatureIsValid(with: signer),
                     cms.signatureIsValid(with: signer) ? "made by the key of \(signer.subject)" : "does not match the signer's key")
        let certificateHash = signer.derSHA256
        report.check("signing-certificate-v2", cms.signingCertificateHash == certificateHash,
                     cms.signingCertificateHash == certificateHash ? "binds the signer's certificate" : "names another certificate")

        var checkTime = claimedTime ?? clock.now()
        if let token = cms.unsignedAttributes[OIDs.timeStampToken]?.first {
            switch TimestampVerifier(roots: roots).verify(token: Array(token.encodedBytes), over: cms.signature) {
            case .success(let (time, authority)):
                report.timestamp = time
                report.timestampAuthority = authority
                checkTime = time
                report.check("time-stamp", true, "\(ISO8601DateFormatter().string(from: time)) from \(authority), trusted")
            case .failure(let problem):
                report.check("time-stamp", false, problem.description)
            }
        }
        let chain = ChainCheck(roots: roots).check(signer, intermediates: cms.certificates, at: checkTime)
        report.check("trusted", chain.trusted, chain.detail)
        return report
    }

    package struct SignatureDictionary {
        package let text: String
        package let byteRange: [Int]
    }

    /// Every signature dictionary (one with a /ByteRange), in file order.
    package static func signatureDictionaries(in pdf: [UInt8]) -> [SignatureDictionary] {
        var found: [SignatureDictionary] = []
        var from = 0
        let needle = Array("/ByteRange".utf8)
        while found.count < 64, let at = PDFIndex.firstRange(of: needle, in: pdf, from: from, limit: pdf.count - from) {
            found.append(dictionary(at: at, in: pdf))
            from = at + needle.count
        }
        return found
    }

    /// The signature this report is about: the earliest, the one that signed the document as
    /// CreditPress issued it; later ones were added by others.
    package static func firstSignatureDictionary(in pdf: [UInt8]) -> SignatureDictionary? {
        signatureDictionaries(in: pdf).filter { $0.byteRange.count == 4 }.min { $0.byteRange[2] + $0.byteRange[3] < $1.byteRange[2] + $1.byteRange[3] }
    }

    /// The dictionary around the /ByteRange at `at`, without its /Contents value.
    private static func dictionary(at: Int, in pdf: [UInt8]) -> SignatureDictionary {
        var start = at
        while start > 1, !(pdf[start - 1] == UInt8(ascii: "<") && pdf[start - 2] == UInt8(ascii: "<")) { start -= 1 }
        start = max(0, start - 2)
        let end = PDFIndex.firstRange(of: Array("endobj".utf8), in: pdf, from: at, limit: 200_000) ?? pdf.count
        var text = String(decoding: pdf[start..<end], as: UTF8.self)
        if let contents = text.range(of: "/Contents <"), let close = text[contents.upperBound...].firstIndex(of: ">") {
            text.replaceSubrange(contents.upperBound..<close, with: "…")
        }
        var cursor = PDFCursor(bytes: pdf, position: at + 10)
        cursor.skipSpace()
        var numbers: [Int] = []
        if cursor.position < pdf.count, pdf[cursor.position] == UInt8(ascii: "[") {
            cursor.position += 1
            while numbers.count < 5, let number = cursor.integer() { numbers.append(number) }
        }
        return SignatureDictionary(text: text, byteRange: numbers)
    }

    package static func hexBytes(_ hex: [UInt8]) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
        var high: UInt8?
        for character in hex {
            let value: UInt8
            switch character {
            case 0x30...0x39: value = character - 0x30
            case 0x41...0x46: value = character - 0x41 + 10
            case 0x61...0x66: value = character - 0x61 + 10
            case 0x20, 0x0A, 0x0D: continue
            default: return nil
            }
            if let first = high { bytes.append(first << 4 | value); high = nil } else { high = value }
        }
        // Trailing zero padding is room left unused, not part of the DER.
        guard let length = derLength(bytes) else { return bytes }
        return Array(bytes.prefix(length))
    }

    /// The total length of the DER element at the start of `bytes`.
    private static func derLength(_ bytes: [UInt8]) -> Int? {
        guard bytes.count > 2 else { return nil }
        let first = Int(bytes[1])
        if first < 0x80 { return 2 + first }
        let count = first & 0x7F
        guard count > 0, count <= 4, bytes.count > 2 + count else { return nil }
        var length = 0
        for byte in bytes[2..<(2 + count)] { length = length << 8 | Int(byte) }
        return 2 + count + length
    }

    /// `D:20180605120000+00'00'` (or with Z, or another offset) as a date; nil for anything
    /// else, such as digits that are not ASCII or a month 13 (the text comes from the file).
    package static func pdfDate(_ text: String?) -> Date? {
        guard let text else { return nil }
        let scalars = Array(text.unicodeScalars.drop { $0 != "D" }.dropFirst(2))
        guard scalars.count >= 14, scalars.prefix(14).allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
        func value(_ from: Int, _ count: Int) -> Int {
            scalars[from..<(from + count)].reduce(0) { $0 * 10 + Int($1.value - 48) }
        }
        let (year, month, day) = (value(0, 4), value(4, 2), value(6, 2))
        let (hour, minute, second) = (value(8, 2), value(10, 2), value(12, 2))
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
        var offset = 0
        if scalars.count >= 17, scalars[14] == "+" || scalars[14] == "-",
           scalars[15...16].allSatisfy({ ("0"..."9").contains($0) }) {
            let hours = value(15, 2)
            let minutes = scalars.count >= 20 && scalars[17] == "'" && scalars[18...19].allSatisfy({ ("0"..."9").contains($0) }) ? value(18, 2) : 0
            guard hours < 24, minutes < 60 else { return nil }
            offset = (hours * 3600 + minutes * 60) * (scalars[14] == "-" ? -1 : 1)
        }
        var components = DateComponents()
        (components.year, components.month, components.day) = (year, month, day)
        (components.hour, components.minute, components.second) = (hour, minute, second)
        components.timeZone = TimeZone(secondsFromGMT: offset)
        let calendar = Calendar(identifier: .gregorian)
        guard let zone = TimeZone(secondsFromGMT: offset), let date = calendar.date(from: components),
              calendar.dateComponents(in: zone, from: date).day == day else { return nil }
        return date
    }
}

/// Builds the chain from a certificate up to one of the trusted roots.
package struct ChainCheck {
    package let roots: [Certificate]

    package init(roots: [Certificate]) { self.roots = roots }

    /// What a chain check without roots says: nothing to confirm against, not a failure.
    package static let noRoots = "no trusted root was given (--trust FILE.pem)"

    package func check(_ leaf: Certificate, intermediates: [Certificate], at time: Date) -> (trusted: Bool, detail: String) {
        guard !roots.isEmpty else { return (false, Self.noRoots) }
        var current = leaf
        var path = [leaf.subject.description]
        for _ in 0..<8 {
            guard current.notValidBefore <= time, time <= current.notValidAfter else {
                return (false, "\(current.subject) was not valid at \(ISO8601DateFormatter().string(from: time))")
            }
            if roots.contains(current) { return (true, "chain: " + path.joined(separator: " ← ")) }
            let candidates = roots + intermediates.filter { $0 != current }
            guard let issuer = candidates.first(where: { $0.subject == current.issuer && $0.publicKey.isValidSignature(current.signature, for: current) }) else {
                return (false, "no trusted certificate issued \(current.subject) (issuer \(current.issuer))")
            }
            if issuer != leaf, let constraints = try? issuer.extensions.basicConstraints,
               case .notCertificateAuthority = constraints {
                return (false, "\(issuer.subject) is not a certificate authority")
            }
            path.append(issuer.subject.description)
            current = issuer
        }
        return (false, "the chain is too long")
    }
}

/// Checks an RFC 3161 time-stamp token over a signature value.
package struct TimestampVerifier {
    package let roots: [Certificate]

    package func verify(token: [UInt8], over signature: [UInt8]) -> Result<(Date, String), CMSError> {
        let cms: CMSSignedDataReader
        do { cms = try CMSSignedDataReader(token) } catch { return .failure(error) }
        guard cms.contentType == OIDs.tstInfo, let content = cms.content else {
            return .failure(CMSError("the time-stamp token holds no TSTInfo"))
        }
        guard let signer = cms.signerCertificate else {
            return .failure(CMSError("the time-stamp token does not carry the authority's certificate"))
        }
        guard cms.messageDigest == Array(SHA256.hash(data: content)), cms.signatureIsValid(with: signer) else {
            return .failure(CMSError("the time-stamp token's signature is not valid"))
        }
        do {
            let info = try CMSSignedDataReader.children(DER.parse(content))
            let imprint = try CMSSignedDataReader.children(info[2])
            let hashed = Array(try ASN1OctetString(derEncoded: imprint[1]).bytes)
            guard hashed == Array(SHA256.hash(data: signature)) else {
                return .failure(CMSError("the time-stamp is for another signature"))
            }
            let time = try GeneralizedTime(derEncoded: info[4])
            guard let date = Date(time) else { return .failure(CMSError("the time-stamp's time cannot be read")) }
            let chain = ChainCheck(roots: roots).check(signer, intermediates: cms.certificates, at: date)
            guard chain.trusted else { return .failure(CMSError("the time-stamp authority is not trusted: \(chain.detail)")) }
            return .success((date, signer.subject.description))
        } catch {
            return .failure(CMSError("the time-stamp information cannot be read (\(error))"))
        }
    }
}

extension Date {
    /// The instant a time-stamp's GeneralizedTime names; nil for one the calendar cannot place.
    package init?(_ time: GeneralizedTime) {
        var components = DateComponents()
        components.year = time.year; components.month = time.month; components.day = time.day
        components.hour = time.hours; components.minute = time.minutes; components.second = time.seconds
        components.timeZone = TimeZone(secondsFromGMT: 0)
        guard let date = Calendar(identifier: .gregorian).date(from: components) else { return nil }
        self = date.addingTimeInterval(time.fractionalSeconds)
    }
}
