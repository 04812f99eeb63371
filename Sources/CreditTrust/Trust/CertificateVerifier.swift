import CreditPDF
import CreditRecords
import CreditRegistry
import Foundation
import X509

/// One thing `verify` checked, and what it found.
public struct VerificationCheck: Sendable {
    public let name: String
    public let passed: Bool
    public let detail: String
}

/// The verdict on a certificate: its PDF signature, its QR payload, its registry record.
public struct VerificationReport: Sendable {
    public var signature: SignatureReport?
    public var payload: VerificationPayload?
    public var payloadSigner: String?
    public var record: IssuedRecord?
    public var checks: [VerificationCheck] = []
    /// Whether the registry was asked about revocation: without it, VALID speaks for the
    /// document as issued, not for whether it still stands.
    public var statusChecked = false
    /// The address the QR code sends a phone to, as signed in its payload.
    public var verificationURL: String? { payload?.verificationURL }

    public var allChecks: [VerificationCheck] {
        (signature?.checks.map { VerificationCheck(name: $0.name, passed: $0.passed, detail: $0.detail) } ?? []) + checks
    }
    public var isValid: Bool { !allChecks.isEmpty && allChecks.allSatisfy(\.passed) }

    /// VALID, NOT VALID, or CANNOT CONFIRM: every check that failed did so only for want of
    /// something to check against (a trusted root, the provider's certificate, the registry),
    /// which the verdict names.
    public enum Verdict: Sendable, Equatable {
        case valid
        case notValid
        case cannotConfirm(missing: [String])
    }

    public var verdict: Verdict {
        let failed = allChecks.filter { !$0.passed }
        guard !allChecks.isEmpty else { return .notValid }
        guard !failed.isEmpty else { return .valid }
        var missing: [String] = []
        for check in failed {
            guard let what = Self.missing(check) else { return .notValid }
            if !missing.contains(what) { missing.append(what) }
        }
        return .cannotConfirm(missing: missing)
    }

    /// What a check lacked, when it failed only for that.
    static func missing(_ check: VerificationCheck) -> String? {
        if check.detail.contains(ChainCheck.noRoots) { return "a trusted root certificate (--trust FILE.pem, or $CREDITPRESS_TRUST)" }
        if check.detail.contains(VerificationPayload.noSigners) { return "the provider's signing certificate (--signer-certificate FILE.pem, or $CREDITPRESS_SIGNING)" }
        if check.detail == CertificateVerifier.noRegistry { return "the provider's registry (--registry FILE, or $CREDITPRESS_REGISTRY)" }
        return nil
    }

    public init() {}

    package mutating func check(_ name: String, _ passed: Bool, _ detail: String) {
        checks.append(VerificationCheck(name: name, passed: passed, detail: detail))
    }
}

/// Checks a certificate PDF, a QR text or an id against trusted roots and, when given,
/// the registry of issued certificates.
public struct CertificateVerifier: Sendable {
    /// What looking an id up without a registry says.
    package static let noRegistry = "no registry was given (--registry FILE)"

    public let roots: [Certificate]
    /// Signing certificates a bare QR text may come from (a PDF brings its own).
    public let signers: [Certificate]
    public let registry: (any CertificateRegistry)?
    /// The time certificates are checked at.
    public let clock: any CreditClock

    public init(roots: [Certificate], signers: [Certificate] = [], registry: (any CertificateRegistry)? = nil,
                clock: any CreditClock) {
        self.roots = roots
        self.signers = signers
        self.registry = registry
        self.clock = clock
    }

    /// The PDF's signature, then the payload it carries against what it says, then the registry.
    public func verify(pdf: [UInt8]) async -> VerificationReport {
        var report = VerificationReport()
        let signature = SignatureVerifier(roots: roots, clock: clock).verify(pdf)
        report.signature = signature
        // The document as signed: what was added later cannot speak for the certificate.
        let signed = signature.signedLength.map { Array(pdf.prefix($0)) } ?? pdf
        let info = (try? PDFIndex(signed)).flatMap { index in index.info.flatMap { try? index.object($0) } }
        guard let info, let text = PDFDictionary.string(PDFSigner.payloadKey, in: info) else {
            // A transcript, or a certificate signed without a QR code: the signature alone
            // speaks for it (the payload would sit inside the signed bytes).
            report.check("QR payload", signature.isValid,
                         signature.isValid ? "none in this document; the signature covers it" : "the PDF carries no verification payload")
            return report
        }
        openPayload(text, signers: signature.certificates + signers, into: &report)
        if let payload = report.payload {
            compare(payload, withInfo: info, into: &report)
            if let registry {
                await checkRegistry(payload.certificateID, registry: registry, pdf: pdf, into: &report)
            }
        }
        return report
    }

    /// A QR text alone: offline proof of issue, and the registry's status when there is one.
    public func verify(qr text: String) async -> VerificationReport {
        var report = VerificationReport()
        openPayload(text, signers: signers, into: &report)
        if let payload = report.payload, let registry {
            await checkRegistry(payload.certificateID, registry: registry, pdf: nil, into: &report)
        }
        return report
    }

    /// An id as a person typed it: its status in the registry.
    public func verify(id: String) async -> VerificationReport {
        var report = VerificationReport()
        guard let normalised = CertificateID.normalise(id) else {
            report.check("certificate id", false, "'\(id)' is not a certificate id: a character is mistyped (the last one is a check character)")
            return report
        }
        guard let registry else {
            report.check("registry", false, Self.noRegistry)
            return report
        }
        await checkRegistry(normalised, registry: registry, pdf: nil, into: &report)
        return report
    }

    private func openPayload(_ text: String, signers: [Certificate], into report: inout VerificationReport) {
        switch VerificationPayload.open(text, signers: signers) {
        case .success(let (payload, signer)):
            report.payload = payload
            report.payloadSigner = signer.subject.description
            report.check("QR payload", true, "signed with ES256 by \(signer.subject)")
            let chain = ChainCheck(roots: roots).check(signer, intermediates: signers, at: clock.now())
            report.check("QR signer trusted", chain.trusted, chain.detail)
        case .failure(let error):
            report.check("QR payload", false, error.description)
        }
    }

    /// The payload's facts against the document information the signature covers.
    private func compare(_ payload: VerificationPayload, withInfo info: String, into report: inout VerificationReport) {
        let title = PDFDictionary.string("Title", in: info) ?? ""
        let keywords = PDFDictionary.string("Keywords", in: info) ?? ""
        let subject = PDFDictionary.string("Subject", in: info) ?? ""
        // The title is "Kind: activity — name as printed"; either part may itself hold " — ".
        let nameMatches = payload.learnerName.hasSuffix("…")
            ? title.contains(" — " + payload.learnerName.dropLast())
            : title.hasSuffix(" — " + payload.learnerName)
        var mismatches: [String] = []
        if !nameMatches { mismatches.append("the name '\(payload.learnerName)'") }
        if !keywords.contains("certificate \(payload.certificateID)") { mismatches.append("certificate id \(payload.certificateID)") }
        if !keywords.contains("activity \(payload.activityID)") { mismatches.append("activity \(payload.activityID)") }
        if !payload.credits.contains(where: { subject.contains("\($0.amount) ") }) { mismatches.append("credit amounts") }
        report.check("QR matches the certificate", mismatches.isEmpty,
                     mismatches.isEmpty ? "id, name, activity and credit agree with the signed document"
                                        : "differs in: " + mismatches.joined(separator: "; "))
    }

    /// Equal, or, for a value shortened to fit the QR code (ending in …), a prefix.
    package static func matches(_ payload: String, _ printed: String) -> Bool {
        if payload == printed { return true }
        guard payload.hasSuffix("…") else { return false }
        return printed.hasPrefix(payload.dropLast())
    }

    private func checkRegistry(_ id: String, registry: any CertificateRegistry, pdf: [UInt8]?, into report: inout VerificationReport) async {
        report.statusChecked = true
        do {
            guard let record = try await registry.record(id: id) else {
                report.check("registry", false, "\(id) was never issued by this registry")
                return
            }
            report.record = record
            if let payload = report.payload {
                let credits = payload.credits.map { "\($0.type) \($0.amount)" }.joined(separator: "; ")  // as IssuedRecord.credits
                let agrees = Self.matches(payload.learnerName, record.learnerName) && payload.activityID == record.activityID
                    && credits == record.credits
                report.check("QR matches the registry", agrees,
                             agrees ? "name, activity and credits are those recorded at issue"
                                    : "the signed details differ from the record (\(record.learnerName), \(record.activityID), \(record.credits))")
            }
            switch record.status {
            case .issued:
                report.check("status", true, "issued \(ISODate.string(record.issuedAt)), not revoked or superseded")
            case .revoked:
                report.check("status", false, "REVOKED: \(record.statusReason ?? "no reason given")"
                                 + (record.supersededBy.map { "; replaced by \($0)" } ?? ""))
            case .superseded:
                report.check("status", false, "SUPERSEDED by \(record.supersededBy ?? "?"): \(record.statusReason ?? "")")
            }
            if let pdf {
                let hash = Hex.sha256(pdf)
                report.check("file as issued", hash == record.pdfSHA256,
                             hash == record.pdfSHA256 ? "the file's SHA-256 is the one recorded at issue"
                                                      : "the file is not the one recorded at issue")
            }
        } catch {
            report.check("registry", false, "\(error)")
        }
    }
}
