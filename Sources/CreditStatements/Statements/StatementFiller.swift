import CreditRecords
import Foundation

/// One statement as filled in for a certificate, with the template it came from.
public struct FilledStatement: Sendable {
    /// What the statement is for: `accreditation`, `designation`, `ancc`, `moc`, ….
    public var role: String
    /// The catalog template, or `override` when the activity supplied its own text.
    public var template: String
    public var version: Int
    /// Pango markup; `plainText` is the same without tags.
    public var markup: String

    public var plainText: String { Markup.plainText(markup) }
}

/// Fills statements for one activity, honouring its overrides and noting the templates used.
package struct StatementFiller {
    package let catalog: StatementCatalog
    package let activity: Activity
    package let accreditation: AccreditationPeriod
    package let cache: StatementCache?
    private(set) var used: [String: Int] = [:]

    package init(catalog: StatementCatalog, activity: Activity, accreditation: AccreditationPeriod, cache: StatementCache? = nil) {
        self.catalog = catalog
        self.activity = activity
        self.accreditation = accreditation
        self.cache = cache
    }

    /// The values every statement may use.
    package var baseValues: [String: Any] {
        [
            "provider": activity.provider.name,
            "accreditor": accreditation.accreditor ?? "Accreditation Council for Continuing Medical Education (ACCME)",
            "jointProvider": orNull(activity.jointProvider),
            "format": activity.format.phrase,
            "title": activity.title,
        ]
    }

    /// Fills `id` (or the activity's override for `role`) with the base values and `extra`.
    package mutating func fill(role: String, id: String, _ extra: [String: Any] = [:]) throws(TemplateError) -> FilledStatement {
        // Filled statements depend only on the activity and these values, so a batch fills
        // each one once.
        let key = cache.map { _ in "\(activity.id)\u{0}\(activity.contentDigest)\u{0}\(role)\u{0}\(id)\u{0}" + extra.keys.sorted().map { "\($0)=\(extra[$0]!)" }.joined(separator: "\u{0}") }
        if let key, let filled = cache?.statements[key] {
            if filled.template != "override" {
                for name in [id] + catalog.partials(of: id) { used[name] = catalog.versions[name] ?? 0 }
            } else {
                used[Self.overrideKey(role)] = 0
            }
            return filled
        }
        let filled = try fillAnew(role: role, id: id, extra)
        if let key { cache?.keep(filled, for: key) }
        return filled
    }

    private mutating func fillAnew(role: String, id: String, _ extra: [String: Any]) throws(TemplateError) -> FilledStatement {
        let values = baseValues.merging(extra) { _, new in new }
        if let override = activity.statementOverrides[role] {
            let markup = try catalog.renderOverride(override, values: values, file: "\(activity.sourceFile) (statements.\(role))")
            used[Self.overrideKey(role)] = 0
            return FilledStatement(role: role, template: "override", version: 0, markup: markup)
        }
        let markup = try catalog.render(id, values)
        for name in [id] + catalog.partials(of: id) { used[name] = catalog.versions[name] ?? 0 }
        return FilledStatement(role: role, template: id, version: catalog.versions[id] ?? 0, markup: markup)
    }

    /// How an override is noted among the statement versions (in the PDF's keywords and the
    /// registry's record): `override:accreditation`.
    package static func overrideKey(_ role: String) -> String { "override:\(role)" }

    /// The accreditation statement for the accreditation in force.
    package mutating func accreditationStatement() throws(TemplateError) -> FilledStatement {
        let joint = activity.jointProvider != nil
        let id: String
        switch accreditation.body {
        case .jointAccreditation: id = "joint-accreditation"
        case .accme: id = joint ? "accme-joint-providership" : "accme-direct"
        case .stateMedicalSociety: id = joint ? "state-joint-providership" : "state-direct"
        }
        return try fill(role: "accreditation", id: id)
    }

    /// The designation statement for one credit the activity offers.
    package mutating func designationStatement(_ designation: CreditDesignation,
                                       audience: UniversalActivityNumber.Audience = .pharmacist) throws(TemplateError) -> FilledStatement? {
        let values = StatementFiller.values(for: designation, amount: designation.maximum, audience: audience)
        switch designation.type {
        case .amaPRACategory1: return try fill(role: "designation", id: "ama-designation", values)
        case .ancc: return try fill(role: "ancc", id: "ancc-designation", values)
        case .acpe: return try fill(role: "acpe", id: "acpe-designation", values)
        case .aapaCategory1: return try fill(role: "aapa", id: "aapa-designation", values)
        case .ipce: return try fill(role: "ipce", id: "ipce-designation", values)
        case .moc: return try fill(role: "moc", id: designation.board?.statement ?? "board-moc", values)
        case .participation: return nil
        }
    }

    /// The phrase naming an amount of one credit: "24.5 <i>AMA PRA Category 1 Credits</i>™".
    package mutating func phrase(_ type: CreditType, amount: CreditAmount, designation: CreditDesignation?,
                         pointType: String? = nil) throws(TemplateError) -> String {
        var values = designation.map { StatementFiller.values(for: $0, amount: amount) } ?? ["amount": "\(amount)", "singular": amount.isOne]
        values["pointType"] = orNull(pointType.map(BoardCatalog.pointTypeName))
        let id: String
        switch type {
        case .amaPRACategory1: id = "ama-credit-phrase"
        case .ancc: id = "ancc-credit-phrase"
        case .acpe: id = "acpe-credit-phrase"
        case .aapaCategory1: id = "aapa-credit-phrase"
        case .ipce: id = "ipce-credit-phrase"
        case .moc: id = "moc-credit-phrase"
        case .participation: id = "participation-phrase"
        }
        return try fill(role: type == .amaPRACategory1 ? "creditPhrase" : "\(type.rawValue)Phrase", id: id, values).markup
    }

    /// What a credit's templates are given: amount, CEUs, UAN, approval date, board.
    package static func values(for designation: CreditDesignation, amount: CreditAmount,
                       audience: UniversalActivityNumber.Audience = .pharmacist) -> [String: Any] {
        var values: [String: Any] = ["amount": "\(amount)", "singular": amount.isOne]
        values["pharmacology"] = orNull(designation.pharmacologyHours.map { "\($0)" })
        values["ceus"] = ceus(amount)
        values["uan"] = orNull((designation.uans[audience] ?? designation.uans.values.first).map(\.text))
        values["expires"] = orNull(designation.approvalExpires?.longForm)
        values["board"] = orNull(designation.board?.abbreviation)
        values["boardName"] = orNull(designation.board?.name)
        return values
    }

    /// Continuing education units: a tenth of the contact hours (38.75 → 3.875).
    package static func ceus(_ hours: CreditAmount) -> String {
        let thousandths = hours.quarters * 25
        var text = "\(thousandths / 1000).\(String(format: "%03d", thousandths % 1000))"
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// `practice-assessment` → `Practice Assessment`.
}

/// Filled statements kept by a renderer across the certificates of one activity.
package final class StatementCache {
    package private(set) var statements: [String: FilledStatement] = [:]
    /// At most this many filled statements are kept; past it the cache starts again, so a
    /// process serving many activities for weeks does not grow without end.
    package static let limit = 4_096

    package init() {}

    /// Certificates' statements and phrases by activity, profession and claims.
    package private(set) var contents: [String: CertificateContent] = [:]

    package func keep(_ statement: FilledStatement, for key: String) {
        if statements.count >= Self.limit { statements.removeAll(keepingCapacity: true) }
        statements[key] = statement
    }

    package func keep(_ content: CertificateContent, for key: String) {
        if contents.count >= Self.limit { contents.removeAll(keepingCapacity: true) }
        contents[key] = content
    }
}
