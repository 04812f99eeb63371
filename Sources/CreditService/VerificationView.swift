import CreditRecords
import CreditRegistry
import CreditTrust
import Foundation

/// A verdict as a page or the JSON API shows it: the status chip, what the certificate
/// prints, and every check. Built only from what the certificate itself prints and the
/// registry's status: no learner id, birth date, email or board id.
public struct VerificationView: Sendable, Encodable {
    public enum Verdict: String, Sendable, Encodable {
        case valid, notValid = "not-valid", cannotConfirm = "cannot-confirm", revoked, superseded, unknown
    }

    public struct Field: Sendable, Encodable {
        public var label: String
        public var value: String
    }

    public struct Check: Sendable, Encodable {
        public var name: String
        public var passed: Bool
        public var detail: String
    }

    public var verdict: Verdict
    /// The chip's words: "VALID", "REVOKED on June 9, 2018", …
    public var headline: String
    /// One sentence under the chip: what the verdict rests on.
    public var explanation: String
    public var certificateID: String?
    public var fields: [Field]
    public var checks: [Check]
    /// The replacement of a superseded or revoked-and-reissued certificate.
    public var replacement: String?
    /// Whether the registry was asked: without it, a VALID is about the document as issued.
    public var statusChecked: Bool

    /// The verdict on `report`; `activity` (from the registry's copy of the activity file)
    /// and `revokedAt` fill in what the record alone does not say.
    public init(_ report: VerificationReport, activity: Activity?, revokedAt: Date?) {
        let record = report.record
        let payload = report.payload
        certificateID = payload?.certificateID ?? record?.id
        statusChecked = report.statusChecked
        checks = report.allChecks.map { Check(name: $0.name, passed: $0.passed, detail: $0.detail) }
        replacement = record?.supersededBy
        let zone = activity?.timeZone ?? TimeZone(identifier: "UTC") ?? .current
        let neverIssued = report.allChecks.contains { $0.name == "registry" && !$0.passed && $0.detail.hasSuffix("was never issued by this registry") }
        let mistyped = report.allChecks.first { $0.name == "certificate id" && !$0.passed }
        let unknown = neverIssued || mistyped != nil
        switch record?.status {
        case .revoked?:
            verdict = .revoked
            headline = "REVOKED" + (revokedAt.map { " on \(Self.day($0, in: zone))" } ?? "")
            explanation = "The provider withdrew this certificate: \(record?.statusReason ?? "no reason was given")."
                + (record?.supersededBy.map { " It was replaced by certificate \($0)." } ?? "")
        case .superseded?:
            verdict = .superseded
            headline = "SUPERSEDED"
            explanation = "A corrected certificate replaces this one\(record?.statusReason.map { " (\($0))" } ?? "")."
        default:
            if unknown {
                verdict = .unknown
                headline = "NOT FOUND"
                explanation = mistyped.map { "\($0.detail.prefix(1).uppercased())\($0.detail.dropFirst())." }
                    ?? "No certificate with this id was issued by this provider. Check the id printed on the certificate."
            } else if case .cannotConfirm(let missing) = report.verdict {
                verdict = .cannotConfirm
                headline = "CANNOT CONFIRM"
                explanation = "No check failed, but this service was not set up with what it needs to confirm the certificate ("
                    + missing.joined(separator: "; ") + "). Ask the provider."
            } else if report.isValid {
                verdict = .valid
                headline = "VALID"
                if report.signature == nil && report.payload == nil {
                    explanation = "Recorded as issued by the provider, and not revoked. To check that a file is unaltered, upload it."
                } else {
                    explanation = report.statusChecked
                        ? "Issued by the provider, unaltered, and not revoked."
                        : "Issued by the provider and unaltered; whether it was revoked since was not checked."
                }
            } else {
                verdict = .notValid
                headline = "NOT VALID"
                explanation = "At least one check failed; the list below says which. Do not rely on this certificate."
            }
        }
        var fields: [Field] = []
        func add(_ label: String, _ value: String?) {
            if let value, !value.isEmpty { fields.append(Field(label: label, value: value)) }
        }
        add("Certificate", certificateID)
        add("Name as printed", payload?.learnerName ?? record?.learnerName)
        add("Activity", [payload?.activityTitle ?? activity?.title, payload?.activityID ?? record?.activityID]
            .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " — "))
        if let activity { add("Activity dates", CivilDate.longForm(from: activity.startDate, to: activity.endDate)) }
        add("Credits", payload.map { $0.credits.map { "\($0.amount) \(Self.creditName($0.type))" }.joined(separator: "; ") }
            ?? record.map { record in
                record.claims.map { claim in "\(claim.amount) \(Self.creditName(claim.board.map { "\(claim.creditType):\($0)" } ?? claim.creditType))" }
                    .joined(separator: "; ")
            })
        add("Completed", payload.flatMap { CivilDate(iso: $0.completionDate)?.longForm })
        add("Issued by", payload?.issuer ?? activity?.provider.name)
        add("Issued", payload.flatMap { CivilDate(iso: $0.issueDate)?.longForm } ?? record.map { Self.day($0.issuedAt, in: zone) })
        if let signature = report.signature, let signer = signature.signer {
            add("Signature", "\(signature.isValid ? "intact" : "NOT intact"), \(signature.level), by \(signer)")
        } else if let record {
            add("Signature", record.signature == nil ? "issued unsigned" : "signed (PAdES)\(record.certified ? ", certification signature" : ""); upload the PDF to check the file itself")
        }
        self.fields = fields
    }

    static func day(_ date: Date, in zone: TimeZone) -> String {
        CivilDate.day(of: date, in: zone).longForm
    }

    /// `ama-pra-category-1` as the certificate names it (with AMA's trademark sign); `moc:abim` as ABIM MOC points.
    static func creditName(_ code: String) -> String {
        let parts = code.split(separator: ":").map(String.init)
        if parts.count == 2, parts[0] == CreditType.moc.rawValue { return "\(parts[1].uppercased()) MOC points" }
        return CreditType(rawValue: parts.first ?? code).map(OfferedCredit.name) ?? code
    }

    /// The values a page template is filled with.
    var templateValues: [String: Any] {
        [
            "verdict": verdict.rawValue, "headline": headline, "explanation": explanation,
            "certificateID": certificateID ?? "", "statusChecked": statusChecked,
            "fields": fields.map { ["label": $0.label, "value": $0.value] }, "hasFields": !fields.isEmpty,
            "checks": checks.map { ["name": $0.name, "passed": $0.passed, "detail": $0.detail] },
            "replacement": replacement ?? "", "hasReplacement": replacement != nil,
        ]
    }
}
