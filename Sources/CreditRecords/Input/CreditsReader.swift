import Foundation

/// Reads an activity's `credits` list: one designation per credit type, with what each type needs.
package enum CreditsReader {
    package static func read(_ root: FieldMapping, boards: BoardCatalog, format: LearningFormat?) -> [CreditDesignation] {
        let items = root.mappings("credits", required: true)
        if items.isEmpty, root.value("credits") != nil {
            root.reader.report("credits", root.value("credits"), "lists no credit",
                               hint: "add `- type: ama-pra-category-1` with its `maximum`")
        }
        var designations: [CreditDesignation] = []
        for item in items {
            guard let designation = read(item, boards: boards, format: format) else { continue }
            if designations.contains(where: { $0.key == designation.key }) {
                item.reader.report(item.child("type"), item.value("type"),
                                   "\(designation.key) is designated twice", hint: "keep one entry")
                continue
            }
            designations.append(designation)
        }
        return designations
    }

    private static func read(_ item: FieldMapping, boards: BoardCatalog, format: LearningFormat?) -> CreditDesignation? {
        item.rejectUnknownKeys(["type", "maximum", "pharmacology", "uan", "uans", "approvalExpires", "board", "pointTypes"])
        let type = item.choice("type", required: true, allowed: CreditType.allNames) { CreditType(rawValue: $0) }
        let unit = type?.unit.plural ?? "credits"
        guard let type, let maximum = item.amount("maximum", required: true, unit: unit) else { return nil }
        var designation = CreditDesignation(type: type, maximum: maximum)
        switch type {
        case .ancc:
            designation.pharmacologyHours = item.amount("pharmacology", unit: "contact hours")
            if let hours = designation.pharmacologyHours, hours > maximum {
                item.reader.report(item.child("pharmacology"), item.value("pharmacology"),
                                   "\(hours) pharmacology hours is more than the \(maximum) contact hours designated")
            }
        case .acpe:
            designation.uans = readUANs(item, format: format)
        case .aapaCategory1:
            designation.approvalExpires = item.date("approvalExpires", required: true)
        case .moc:
            readBoard(item, boards: boards, into: &designation)
        default:
            break
        }
        return designation
    }

    private static func readUANs(_ item: FieldMapping, format: LearningFormat?) -> [UniversalActivityNumber.Audience: UniversalActivityNumber] {
        let texts = item.value("uans") != nil ? item.strings("uans") : item.string("uan", required: true,
            hint: "the ACPE Universal Activity Number, e.g. 0000-9999-18-001-L01-P").map { [$0] } ?? []
        var uans: [UniversalActivityNumber.Audience: UniversalActivityNumber] = [:]
        let key = item.value("uans") != nil ? "uans" : "uan"
        for text in texts {
            guard let uan = UniversalActivityNumber(text) else {
                item.reader.report(item.child(key), item.value(key), "'\(text)' is not a Universal Activity Number",
                                   hint: "the form is NNNN-NNNN-YY-NNN-LNN-P (L live or H home study; P pharmacists or T technicians)")
                continue
            }
            if let format, uan.isLive != (format == .live) {
                item.reader.report(item.child(key), item.value(key),
                                   "\(uan) is marked \(uan.isLive ? "live (L)" : "home study (H)") but the activity is \(format.phrase)",
                                   hint: "use L for a live activity and H for everything else")
            }
            uans[uan.audience] = uan
        }
        return uans
    }

    private static func readBoard(_ item: FieldMapping, boards: BoardCatalog, into designation: inout CreditDesignation) {
        guard let board = item.choice("board", required: true, allowed: boards.allNames, { boards[$0] }) else { return }
        designation.board = board
        designation.pointTypes = item.strings("pointTypes")
        for type in designation.pointTypes where !board.pointTypes.contains(type) {
            item.reader.report(item.child("pointTypes"), item.value("pointTypes"),
                               "'\(type)' is not one of \(board.abbreviation)'s point types",
                               hint: board.pointTypes.isEmpty ? "\(board.abbreviation) has no point types; remove the list"
                                   : "use one of: \(board.pointTypes.joined(separator: ", "))")
        }
        if !board.pointTypes.isEmpty && designation.pointTypes.isEmpty {
            item.reader.report(item.child("pointTypes"), item.node, "is required for \(board.abbreviation) MOC",
                               hint: "list the point types offered: \(board.pointTypes.joined(separator: ", "))")
        }
        if board.wholePoints && designation.maximum.quarters % 4 != 0 {
            item.reader.report(item.child("maximum"), item.value("maximum"),
                               "\(board.abbreviation) awards whole points only; \(designation.maximum) is not whole")
        }
    }
}
