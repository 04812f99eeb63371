import Foundation

/// How a roster's columns map to CreditPress's, for the files staff have: an LMS's
/// attendance export names its columns "First Name" or "Email Address", has columns of its
/// own, and lacks some CreditPress needs. Given as `--columns FILE` (YAML or JSON):
///
/// ```yaml
/// columns:                 # their column: ours, or ignore
///   Credits: ama_pra_category_1
///   Department: ignore
/// values:                  # ours, the same for every row, where the roster has no such column
///   profession: physician
///   completion_date: 2026-10-14
/// dateFormat: MM/DD/YYYY   # the date columns' format: YYYY-MM-DD (default), MM/DD/YYYY or DD/MM/YYYY
/// ```
///
/// Without a file, common names are understood anyway (`RosterMapping.aliases`).
public struct RosterMapping: Sendable, Equatable {
    /// Their column (as `normalised` gives it) → ours, or `ignore`.
    public var columns: [String: String] = [:]
    /// Our column → the value every row has.
    public var values: [String: String] = [:]
    public var dateFormat: DateFormat = .iso
    /// The file it was read from, for messages.
    public var file: String?

    public init() {}

    /// The formats a date column may be in, one for the whole column.
    public enum DateFormat: String, Sendable, CaseIterable {
        case iso = "YYYY-MM-DD"
        case us = "MM/DD/YYYY"
        case eu = "DD/MM/YYYY"

        /// By its pattern or a short name (`iso`, `us`, `eu`).
        public static func named(_ text: String) -> DateFormat? {
            switch text.uppercased() {
            case "ISO", "YYYY-MM-DD": return .iso
            case "US", "MM/DD/YYYY", "M/D/YYYY": return .us
            case "EU", "DD/MM/YYYY", "D/M/YYYY": return .eu
            default: return nil
            }
        }

        /// `text` as YYYY-MM-DD, if it is a date in this format (ISO is always understood).
        public func iso(_ text: String) -> String? {
            // By bytes, not a regex literal: Swift parses a literal's pattern again on each
            // call, and this runs once a row.
            let bytes = Array(text.utf8)
            func digits(_ range: Range<Int>) -> Int? {
                var value = 0
                for index in range {
                    guard bytes[index] >= 0x30 && bytes[index] <= 0x39 else { return nil }
                    value = value * 10 + Int(bytes[index] - 0x30)
                }
                return value
            }
            if bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
               digits(0..<4) != nil, digits(5..<7) != nil, digits(8..<10) != nil {
                return text
            }
            // D/M/YYYY to DD/MM/YYYY, separated by slashes, dots or hyphens.
            let separators: Set<UInt8> = [UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: "-")]
            guard self != .iso, let one = bytes.firstIndex(where: separators.contains),
                  let two = bytes[(one + 1)...].firstIndex(where: separators.contains),
                  (1...2).contains(one), (1...2).contains(two - one - 1), bytes.count - two - 1 == 4,
                  let first = digits(0..<one), let second = digits((one + 1)..<two),
                  let year = digits((two + 1)..<bytes.count) else { return nil }
            let (month, day) = self == .us ? (first, second) : (second, first)
            guard (1...12).contains(month), (1...31).contains(day) else { return nil }
            return String(format: "%04d-%02d-%02d", year, month, day)
        }
    }

    /// The columns read as dates.
    package static let dateColumns: Set<String> = ["completion_date"]

    /// "First Name", "first-name", "FirstName " → `first_name`.
    public static func normalised(_ header: String) -> String {
        var text = header.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        // camelCase → snake_case, then runs of anything else → one underscore.
        text = text.replacing(/([a-z0-9])([A-Z])/) { "\($0.1)_\($0.2)" }.lowercased()
        return text.replacing(/[^a-z0-9]+/, with: "_").trimmingCharacters(in: CharacterSet(charactersIn: "_"))
    }

    /// What LMS and registration exports commonly call CreditPress's columns.
    public static let aliases: [String: String] = {
        var map: [String: String] = [:]
        for (ours, theirs) in [
            ("id", ["learner_id", "user_id", "userid", "member_id", "attendee_id", "student_id", "employee_id", "person_id",
                    "registrant_id", "registration_id", "badge_id", "external_id"]),
            ("first_name", ["first", "firstname", "given_name", "given", "fname", "forename"]),
            ("middle_name", ["middle", "middlename", "middle_initial", "mi"]),
            ("last_name", ["last", "lastname", "surname", "family_name", "family", "lname"]),
            ("professional_name", ["name_as_printed", "printed_name", "certificate_name", "name_on_certificate", "display_name"]),
            ("degrees", ["degree", "credentials", "credential", "designations", "suffix", "post_nominals"]),
            ("profession", ["role", "occupation", "profession_type", "certification_type", "credential_type", "professional_role"]),
            ("email", ["email_address", "e_mail", "e_mail_address", "mail", "emailaddress"]),
            ("completion_date", ["completed", "completion", "date_completed", "completed_date", "completed_on", "completion_date_time",
                                 "date_of_completion", "attendance_date"]),
            ("evaluation_completed", ["evaluation", "evaluation_complete", "eval_completed", "evaluated"]),
            ("birth_month_day", ["birth_mmdd", "dob_mmdd", "date_of_birth_mmdd"]),
            ("nabp_epid", ["nabp", "nabp_id", "eprofile_id", "e_profile_id", "nabp_eprofile_id", "nabp_e_profile_id"]),
            ("ama_pra_category_1", ["ama", "ama_credits", "ama_pra", "ama_pra_credits", "ama_category_1", "cme_credits"]),
            ("ancc", ["ancc_hours", "ancc_contact_hours", "nursing_contact_hours", "nursing_hours"]),
            ("acpe", ["acpe_hours", "acpe_contact_hours", "pharmacy_contact_hours", "pharmacy_hours"]),
            ("aapa_category_1", ["aapa", "aapa_credits"]),
            ("ipce", ["ipce_credits"]),
            ("participation", ["hours_of_participation", "participation_hours", "attendance_hours"]),
            ("license_state", ["licence_state", "state_of_license", "license_issuer"]),
            ("license_number", ["licence_number", "license", "licence", "license_no"]),
        ] {
            for name in theirs { map[name] = ours }
        }
        return map
    }()

    /// Reads a mapping file; every problem at once.
    public static func read(_ url: URL, displayName: String? = nil) throws(InputError) -> RosterMapping {
        let document = try InputDocument.load(url, displayName: displayName)
        let reader = FieldReader(document)
        let root = reader.root
        root.rejectUnknownKeys(["columns", "values", "dateFormat"])
        var mapping = RosterMapping()
        mapping.file = document.file
        for (theirs, ours) in root.stringMap("columns") {
            let target = ours.trimmingCharacters(in: .whitespaces).lowercased()
            guard target == "ignore" || RosterColumns.allNames.contains(target) else {
                reader.report(root.mapping("columns")?.child(theirs) ?? "columns", nil,
                              "maps '\(theirs)' to '\(ours)', which is not a roster column",
                              hint: "use one of the columns in the README, or ignore")
                continue
            }
            mapping.columns[normalised(theirs)] = target
        }
        for (ours, value) in root.stringMap("values") {
            let target = ours.trimmingCharacters(in: .whitespaces).lowercased()
            guard RosterColumns.allNames.contains(target), target != "id" else {
                reader.report(root.mapping("values")?.child(ours) ?? "values", nil,
                              "'\(ours)' is not a roster column that every row may share",
                              hint: "give values for columns such as profession, completion_date or ama_pra_category_1")
                continue
            }
            mapping.values[target] = value
        }
        if let text = root.string("dateFormat") {
            if let format = DateFormat.named(text) {
                mapping.dateFormat = format
            } else {
                reader.report(root.child("dateFormat"), root.value("dateFormat"), "'\(text)' is not a date format",
                              hint: "use YYYY-MM-DD, MM/DD/YYYY or DD/MM/YYYY")
            }
        }
        guard reader.problems.isEmpty else { throw InputError(reader.problems) }
        return mapping
    }
}
