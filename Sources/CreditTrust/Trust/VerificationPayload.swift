import CreditPDF
import CreditRecords
import Crypto
import Foundation
import SwiftASN1
import X509

/// What the QR code on a certificate proves offline: who issued which credit to whom.
///
/// Carried as a COSE_Sign1 message (RFC 9052) signed with ES256 by the provider's signing
/// key, zlib-compressed and base-32 encoded behind the prefix `CP1:` — the EU Digital COVID
/// Certificate's recipe with base 32 instead of base 45, so that the text can sit in a
/// URL's fragment unescaped and still use the QR code's compact alphanumeric mode.
public struct VerificationPayload: Equatable, Sendable {
    public struct Credit: Equatable, Sendable {
        public var type: String
        public var amount: String
        public init(type: String, amount: String) {
            self.type = type
            self.amount = amount
        }
    }

    public var certificateID: String
    public var issuer: String
    public var learnerName: String
    public var activityID: String
    public var activityTitle: String
    public var credits: [Credit]
    /// ISO dates, `2018-06-05`.
    public var completionDate: String
    public var issueDate: String
    /// The verification page the QR code's address names. The payload signs 8 bytes of its
    /// SHA-256 (the whole address would crowd the title out of the code), so that a code
    /// reprinted with another address is caught. Nil when the code carried no address.
    public var verificationURL: String?
    /// The signed digest of the address, as read from a payload.
    package var verificationURLDigest: [UInt8]?

    public static let prefix = "CP1:"

    public init(certificateID: String, issuer: String, learnerName: String, activityID: String,
                activityTitle: String, credits: [Credit], completionDate: String, issueDate: String) {
        self.certificateID = certificateID
        self.issuer = issuer
        self.learnerName = learnerName
        self.activityID = activityID
        self.activityTitle = activityTitle
        self.credits = credits
        self.completionDate = completionDate
        self.issueDate = issueDate
    }

    // MARK: Signing

    /// The QR text: `verificationURL#CP1:…`, or `CP1:…` alone when there is no URL. A title
    /// too long for the code is shortened, then a name longer than any real one; both end
    /// with … then, and verification compares what is left.
    public func sealed<Code>(identity: SigningIdentity, verificationURL: String?,
                             encode: (String) throws -> Code) throws -> (text: String, matrix: Code, payload: VerificationPayload) {
        var payload = self
        var lastError: Error?
        // The title first, then, for names longer than any real one, the name.
        let attempts: [(title: Int?, name: Int?)] = [(nil, nil), (60, nil), (40, nil), (24, nil), (12, nil), (0, nil),
                                                     (0, 120), (0, 80), (0, 60), (0, 40)]
        payload.verificationURL = verificationURL
        for (titleLimit, nameLimit) in attempts {
            if let titleLimit { payload.activityTitle = Self.shorten(activityTitle, to: titleLimit) }
            if let nameLimit { payload.learnerName = Self.shorten(learnerName, to: nameLimit) }
            let text = (verificationURL.map { $0 + "#" } ?? "") + Self.prefix + Base32.encode(Zlib.compress(try payload.coseSign1(identity)))
            do {
                return (text, try encode(text), payload)
            } catch {
                lastError = error
            }
        }
        throw lastError ?? PayloadError("the QR code could not be made")
    }

    package static func shorten(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        guard limit > 0 else { return "" }
        return text.prefix(limit - 1).trimmingCharacters(in: .whitespaces) + "…"
    }

    package func coseSign1(_ identity: SigningIdentity) throws -> [UInt8] {
        let key = identity.payloadKey
        let protected = CBOR.map([(.int(1), .int(-7))]).encoded()
        let payload = cbor().encoded()
        let toBeSigned = Self.sigStructure(protected: protected, payload: payload)
        // COSE wants the raw r‖s form; the certificate library gives DER.
        let der = try key.sign(bytes: toBeSigned, signatureAlgorithm: .ecdsaWithSHA256).rawRepresentation
        let signature = try P256.Signing.ECDSASignature(derRepresentation: der).rawRepresentation
        return CBOR.tagged(18, .array([
            .bytes(protected),
            .map([(.int(4), .bytes(identity.payloadKeyID))]),
            .bytes(payload),
            .bytes(Array(signature)),
        ])).encoded()
    }

    package static func sigStructure(protected: [UInt8], payload: [UInt8]) -> [UInt8] {
        CBOR.array([.text("Signature1"), .bytes(protected), .bytes([]), .bytes(payload)]).encoded()
    }

    /// The COSE key id: the first 8 bytes of the SHA-256 of the signing certificate.
    package static func keyID(_ certificate: Certificate) -> [UInt8] {
        Array(certificate.derSHA256.prefix(8))
    }

    package func cbor() -> CBOR {
        .map([
            (.int(1), .text(certificateID)),
            (.int(2), .text(issuer)),
            (.int(3), .text(learnerName)),
            (.int(4), .text(activityID)),
            (.int(5), .text(activityTitle)),
            (.int(6), .array(credits.map { .array([.text($0.type), .text($0.amount)]) })),
            (.int(7), .int(Self.dateNumber(completionDate))),
            (.int(8), .int(Self.dateNumber(issueDate))),
        ] + (verificationURL.map { [(.int(9), .bytes(Self.addressDigest($0)))] } ?? []))
    }

    /// What field 9 signs of a verification address.
    package static func addressDigest(_ address: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(address.utf8)).prefix(8))
    }

    /// `2018-06-05` as 20180605, three bytes shorter in CBOR.
    package static func dateNumber(_ iso: String) -> Int { Int(iso.replacingOccurrences(of: "-", with: "")) ?? 0 }

    package static func isoDate(_ number: Int) -> String {
        String(format: "%04d-%02d-%02d", number / 10_000, number / 100 % 100, number % 100)
    }

    // MARK: Opening

    /// Reads and checks a QR text against the signing certificates that may have made it.
    /// What opening a payload without the provider's certificates says: nothing to check it with.
    package static let noSigners = "no signing certificate of the provider was given to check it with (--signer-certificate FILE.pem, or $CREDITPRESS_SIGNING)"

    public static func open(_ text: String, signers: [Certificate]) -> Result<(VerificationPayload, Certificate), PayloadError> {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let body = trimmed.split(separator: "#", maxSplits: 1).last.map(String.init) ?? trimmed
        guard body.uppercased().hasPrefix(prefix) else { return .failure(PayloadError("the text does not carry a CreditPress payload (\(prefix)…)")) }
        guard let compressed = Base32.decode(String(body.dropFirst(prefix.count))) else {
            return .failure(PayloadError("the payload is not base 32: a character was changed or lost"))
        }
        guard let cose = Zlib.inflate(compressed, limit: 16_384) else {
            return .failure(PayloadError("the payload does not decompress: it was changed or cut short"))
        }
        guard let message = try? CBOR.decode(cose), case .tagged(18, .array(let parts)) = message, parts.count == 4,
              let protected = parts[0].bytes, let payloadBytes = parts[2].bytes, let signatureBytes = parts[3].bytes else {
            return .failure(PayloadError("the payload is not a COSE_Sign1 message"))
        }
        guard (try? CBOR.decode(protected))?[1]?.integer == -7 else {
            return .failure(PayloadError("the payload is not signed with ES256"))
        }
        let keyID = parts[1][4]?.bytes
        guard !signers.isEmpty else { return .failure(PayloadError(Self.noSigners)) }
        guard let signer = signers.first(where: { keyID == nil || Self.keyID($0) == keyID }) else {
            return .failure(PayloadError("none of the given signing certificates made this payload"))
        }
        guard let key = P256.Signing.PublicKey(signer.publicKey),
              let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signatureBytes),
              key.isValidSignature(signature, for: sigStructure(protected: protected, payload: payloadBytes)) else {
            return .failure(PayloadError("the payload's signature is not valid: it was changed after issue"))
        }
        guard let map = try? CBOR.decode(payloadBytes), var payload = VerificationPayload(map) else {
            return .failure(PayloadError("the signed payload lacks fields"))
        }
        // The address in front of the payload must be the one signed inside it.
        let address = trimmed.split(separator: "#", maxSplits: 1).count == 2 ? trimmed.split(separator: "#", maxSplits: 1).first.map(String.init) : nil
        if let signed = payload.verificationURLDigest, let address {
            guard addressDigest(address) == signed else {
                return .failure(PayloadError("the QR code's address \(address) is not the one signed in it: the code was reprinted"))
            }
            payload.verificationURL = address
        }
        return .success((payload, signer))
    }

    package init?(_ map: CBOR) {
        guard let id = map[1]?.text, let issuer = map[2]?.text, let name = map[3]?.text, let activity = map[4]?.text,
              let title = map[5]?.text, let credits = map[6]?.array, let completion = map[7]?.integer,
              let issued = map[8]?.integer else { return nil }
        self.init(certificateID: id, issuer: issuer, learnerName: name, activityID: activity, activityTitle: title,
                  credits: credits.compactMap { item in
                      guard let pair = item.array, pair.count == 2, let type = pair[0].text, let amount = pair[1].text else { return nil }
                      return Credit(type: type, amount: amount)
                  },
                  completionDate: Self.isoDate(completion), issueDate: Self.isoDate(issued))
        verificationURLDigest = map[9]?.bytes
    }
}

extension PayloadError: DiagnosticConvertible {
    public var diagnostics: [Diagnostic] { [Diagnostic(kind: .signing, file: "", message: description)] }
}

/// A QR payload that does not verify.
public struct PayloadError: Error, CustomStringConvertible, Sendable {
    public let description: String
    package init(_ description: String) { self.description = description }
}
