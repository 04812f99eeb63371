import CreditPDF
import CreditRecords
import Crypto
import Foundation
import SwiftASN1
import X509

/// What the QR code on a certificate proves offline: who issued which credit to whom.
///
/// Carried as a COSE_Sign1 message (RFC 9052) signed with ES256 by the provider's signing
/// key. Two ways of writing it, both read:
/// - `CP2:` (issued now): the message's bytes as decimal digits (`DecimalDigits`), which the
///   QR code stores in its numeric mode at 8.1 bits a byte, uncompressed (zlib only
///   lengthened it); the issuer left out when it is the signing certificate's organisation,
///   and read from there; the dates as day numbers; a 4-byte key id. About a fifth shorter
///   than `CP1:`, which with an issuer named by its certificate is two QR versions fewer.
/// - `CP1:` (certificates issued before): the message zlib-compressed and base-32 encoded —
///   the EU Digital COVID Certificate's recipe with base 32 instead of base 45, so that the
///   text sits in a URL's fragment unescaped, in the QR code's alphanumeric mode.
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
    public static let digitsPrefix = "CP2:"
    /// Whether the payload was read from, or is written as, a `CP2:` text.
    package var isDigits = false

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

    /// The QR text: `verificationURL#CP2:…`, or `CP2:…` alone when there is no URL, and what
    /// `encode` made of it. Each of `versionLimits` in turn bounds the code's version: for
    /// each, the full text is tried first, then a shorter title (down to none), then, for
    /// names longer than any real one, a shorter name; both end with … then, and
    /// verification compares what is left. `estimate` gives the version a text of so many
    /// bytes then digits needs (nil: too many), so that only the text chosen is signed and
    /// encoded; `encode` throws when the text needs a version above the limit it is given.
    public func sealed<Code>(identity: SigningIdentity, verificationURL: String?, versionLimits: [Int],
                             estimate: (_ bytes: Int, _ digits: Int) -> Int?,
                             encode: (String, Int) throws -> Code) throws -> (text: String, matrix: Code, payload: VerificationPayload) {
        var payload = self
        payload.isDigits = true
        payload.verificationURL = verificationURL
        let signerNamesIssuer = identity.payloadOrganisation == issuer
        var lastError: Error?
        let attempts: [(title: Int?, name: Int?)] = [(nil, nil), (60, nil), (40, nil), (24, nil), (12, nil), (0, nil),
                                                     (0, 120), (0, 80), (0, 60), (0, 40)]
        let head = (verificationURL.map { $0 + "#" } ?? "") + Self.digitsPrefix
        for limit in versionLimits {
            payload.activityTitle = activityTitle
            payload.learnerName = learnerName
            for (titleLimit, nameLimit) in attempts {
                if let titleLimit { payload.activityTitle = Self.shorten(activityTitle, to: titleLimit) }
                if let nameLimit { payload.learnerName = Self.shorten(learnerName, to: nameLimit) }
                // The message's length is known before signing: an ES256 signature is 64 bytes.
                let length = payload.coseSign1Length(identity, omitIssuer: signerNamesIssuer)
                guard let needed = estimate(head.utf8.count, DecimalDigits.count(forBytes: length)), needed <= limit else { continue }
                let message = try payload.coseSign1(identity, omitIssuer: signerNamesIssuer)
                let text = head + DecimalDigits.encode(message)
                do {
                    return (text, try encode(text, limit), payload)
                } catch {
                    lastError = error
                }
            }
        }
        // Nothing fit by the estimate: the encoder says why (or, doing better, makes the code).
        if lastError == nil, let limit = versionLimits.last {
            let text = head + DecimalDigits.encode(try payload.coseSign1(identity, omitIssuer: signerNamesIssuer))
            return (text, try encode(text, limit), payload)
        }
        throw lastError ?? PayloadError("the QR code could not be made")
    }

    /// The signing certificate's organisation (its subject's O), which a `CP2:` payload's
    /// issuer is when the payload leaves it out.
    package static func organisation(of certificate: Certificate) -> String? {
        for name in certificate.subject {
            for attribute in name where attribute.type == .RDNAttributeType.organizationName {
                return attribute.value.description
            }
        }
        return nil
    }

    package static func shorten(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        guard limit > 0 else { return "" }
        return text.prefix(limit - 1).trimmingCharacters(in: .whitespaces) + "…"
    }

    /// The length of `coseSign1`'s message, without signing.
    package func coseSign1Length(_ identity: SigningIdentity, omitIssuer: Bool = false) -> Int {
        message(identity, payload: cbor(omitIssuer: omitIssuer).encoded(), signature: [UInt8](repeating: 0, count: 64)).count
    }

    private func message(_ identity: SigningIdentity, payload: [UInt8], signature: [UInt8]) -> [UInt8] {
        CBOR.tagged(18, .array([
            .bytes(Self.protectedHeader),
            .map([(.int(4), .bytes(isDigits ? Array(identity.payloadKeyID.prefix(4)) : identity.payloadKeyID))]),
            .bytes(payload),
            .bytes(signature),
        ])).encoded()
    }

    /// `{1: -7}`: ES256.
    private static let protectedHeader = CBOR.map([(.int(1), .int(-7))]).encoded()

    /// The signed message, in `CP2:`'s form when `isDigits`.
    package func coseSign1(_ identity: SigningIdentity, omitIssuer: Bool = false) throws -> [UInt8] {
        let payload = cbor(omitIssuer: omitIssuer).encoded()
        let toBeSigned = Self.sigStructure(protected: Self.protectedHeader, payload: payload)
        if let key = identity.payloadP256 {
            return message(identity, payload: payload, signature: Array(try key.signature(for: toBeSigned).rawRepresentation))
        }
        // COSE wants the raw r‖s form; the certificate library gives DER.
        let der = try identity.payloadKey.sign(bytes: toBeSigned, signatureAlgorithm: .ecdsaWithSHA256).rawRepresentation
        let signature = try P256.Signing.ECDSASignature(derRepresentation: der).rawRepresentation
        return message(identity, payload: payload, signature: Array(signature))
    }

    package static func sigStructure(protected: [UInt8], payload: [UInt8]) -> [UInt8] {
        CBOR.array([.text("Signature1"), .bytes(protected), .bytes([]), .bytes(payload)]).encoded()
    }

    /// The COSE key id: the first 8 bytes of the SHA-256 of the signing certificate.
    package static func keyID(_ certificate: Certificate) -> [UInt8] {
        Array(certificate.derSHA256.prefix(8))
    }

    /// The signed map. `CP1:`'s dates are numbers like 20180605; a `CP2:` payload's
    /// (`isDigits`) are days since 1970-01-01 and leave field 2 out when the signing
    /// certificate names the issuer (`omitIssuer`).
    package func cbor(omitIssuer: Bool = false) -> CBOR {
        let completion = isDigits ? Self.dayNumber(completionDate) : Self.dateNumber(completionDate)
        let issued = isDigits ? Self.dayNumber(issueDate) : Self.dateNumber(issueDate)
        var fields: [(CBOR, CBOR)] = [(.int(1), .text(certificateID))]
        if !(isDigits && omitIssuer) { fields.append((.int(2), .text(issuer))) }
        fields += [
            (.int(3), .text(learnerName)),
            (.int(4), .text(activityID)),
            (.int(5), .text(activityTitle)),
            (.int(6), .array(credits.map { .array([.text($0.type), .text($0.amount)]) })),
            (.int(7), .int(completion)),
            (.int(8), .int(issued)),
        ]
        if let verificationURL { fields.append((.int(9), .bytes(Self.addressDigest(verificationURL)))) }
        return .map(fields)
    }

    /// `2018-06-05` as 17687, its day since 1970-01-01; 0 for a text that is not a date.
    package static func dayNumber(_ iso: String) -> Int {
        let parts = iso.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return 0 }
        if (1601...9999).contains(parts[0]), (1...12).contains(parts[1]), (1...31).contains(parts[2]) {
            return civilDay(year: parts[0], month: parts[1], day: parts[2])
        }
        guard let date = utc.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])) else { return 0 }
        return Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
    }

    /// The day since 1970-01-01 of a date in the Gregorian calendar, by arithmetic (the
    /// calendar's own answer costs about as much as signing the payload): days of whole
    /// 400-year eras, of the years in the era counted from March, and of the months from
    /// March, whose lengths repeat every five months (153 days). A day past the month's end
    /// runs on into the next month, as the calendar's does.
    package static func civilDay(year: Int, month: Int, day: Int) -> Int {
        let march = month > 2 ? year : year - 1
        let era = (march >= 0 ? march : march - 399) / 400
        let yearOfEra = march - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// A day number as an ISO date: the inverse of `dayNumber`.
    package static func isoDate(day number: Int) -> String {
        let parts = utc.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(number) * 86_400))
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        return calendar
    }()

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
        let halves = trimmed.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let body = halves.count == 2 ? String(halves[1]) : trimmed
        let address = halves.count == 2 ? String(halves[0]) : nil
        let cose: [UInt8]
        let digits = body.uppercased().hasPrefix(digitsPrefix)
        if digits {
            guard let bytes = DecimalDigits.decode(String(body.dropFirst(digitsPrefix.count))) else {
                return .failure(PayloadError("the payload's digits do not make whole bytes: a digit was changed or lost"))
            }
            cose = bytes
        } else if body.uppercased().hasPrefix(prefix) {
            guard let compressed = Base32.decode(String(body.dropFirst(prefix.count))) else {
                return .failure(PayloadError("the payload is not base 32: a character was changed or lost"))
            }
            guard let inflated = Zlib.inflate(compressed, limit: 16_384) else {
                return .failure(PayloadError("the payload does not decompress: it was changed or cut short"))
            }
            cose = inflated
        } else {
            return .failure(PayloadError("the text does not carry a CreditPress payload (\(digitsPrefix)… or \(prefix)…)"))
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
        // A key id is the first bytes of the certificate's SHA-256: 8 in `CP1:`, 4 in `CP2:`.
        guard let signer = signers.first(where: { keyID == nil || (keyID!.count >= 4 && Self.keyID($0).starts(with: keyID!)) }) else {
            return .failure(PayloadError("none of the given signing certificates made this payload"))
        }
        guard let key = P256.Signing.PublicKey(signer.publicKey),
              let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signatureBytes),
              key.isValidSignature(signature, for: sigStructure(protected: protected, payload: payloadBytes)) else {
            return .failure(PayloadError("the payload's signature is not valid: it was changed after issue"))
        }
        guard let map = try? CBOR.decode(payloadBytes),
              var payload = VerificationPayload(map, digits: digits, signerOrganisation: organisation(of: signer)) else {
            return .failure(PayloadError("the signed payload lacks fields"))
        }
        if let signed = payload.verificationURLDigest, let address {
            // The address in front of the payload must be the one signed inside it.
            guard addressDigest(address) == signed else {
                return .failure(PayloadError("the QR code's address \(address) is not the one signed in it: the code was reprinted"))
            }
            payload.verificationURL = address
        }
        return .success((payload, signer))
    }

    /// The facts of a payload's map; a `CP2:` map without an issuer is the signer's organisation's.
    package init?(_ map: CBOR, digits: Bool = false, signerOrganisation: String? = nil) {
        guard let id = map[1]?.text, let issuer = map[2]?.text ?? (digits ? signerOrganisation : nil), let name = map[3]?.text,
              let activity = map[4]?.text, let title = map[5]?.text, let credits = map[6]?.array,
              let completion = map[7]?.integer, let issued = map[8]?.integer else { return nil }
        let dates: (String, String)
        if digits {
            // Days up to 9999-12-31; anything else is not a date this payload was made with.
            guard (0...2_932_896).contains(completion), (0...2_932_896).contains(issued) else { return nil }
            dates = (Self.isoDate(day: completion), Self.isoDate(day: issued))
        } else {
            dates = (Self.isoDate(completion), Self.isoDate(issued))
        }
        self.init(certificateID: id, issuer: issuer, learnerName: name, activityID: activity, activityTitle: title,
                  credits: credits.compactMap { item in
                      guard let pair = item.array, pair.count == 2, let type = pair[0].text, let amount = pair[1].text else { return nil }
                      return Credit(type: type, amount: amount)
                  },
                  completionDate: dates.0, issueDate: dates.1)
        isDigits = digits
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
