import CreditRecords
/// Every statement an activity's certificates can carry, filled in, for proofreading
/// before a run: what `creditpress statements` prints.
public struct ActivityStatements {
    /// One filled statement and the certificates that carry it.
    public struct Entry {
        /// `all`, or the certificate kinds (`physician-cme`, `nursing`, …).
        public var certificates: String
        public var statement: FilledStatement
    }

    public let accreditation: AccreditationPeriod
    public let entries: [Entry]

    public init(activity: Activity, catalog: StatementCatalog) throws {
        guard let accreditation = activity.accreditation else {
            throw InputError([Problem(file: activity.sourceFile, field: "provider",
                                      message: "the provider has no accreditation in force on \(activity.startDate), when the activity starts")])
        }
        var filler = StatementFiller(catalog: catalog, activity: activity, accreditation: accreditation)
        var entries = [Entry(certificates: "all", statement: try filler.accreditationStatement())]
        for designation in activity.designations {
            if designation.type == .acpe {
                for audience in [UniversalActivityNumber.Audience.pharmacist, .technician] where designation.uans[audience] != nil {
                    let statement = try filler.designationStatement(designation, audience: audience)
                    entries.append(Entry(certificates: "pharmacy (\(audience == .pharmacist ? "pharmacists" : "technicians"))", statement: statement!))
                }
            } else if let statement = try filler.designationStatement(designation) {
                entries.append(Entry(certificates: Self.certificates(for: designation.type), statement: statement))
            }
        }
        if activity.aapaAcceptsAMACredit, let ama = activity.designation(.amaPRACategory1) {
            entries.append(Entry(certificates: "participation (PAs)",
                                 statement: try filler.fill(role: "aapaAcceptance", id: "aapa-acceptance", ["amount": "\(ama.maximum)"])))
        }
        entries.append(Entry(certificates: "participation",
                             statement: try CertificateContent.participationStatement(activity, filler: &filler)))
        self.accreditation = accreditation
        self.entries = entries
    }

    private static func certificates(for type: CreditType) -> String {
        switch type {
        case .amaPRACategory1, .moc: return CertificateKind.physicianCME.rawValue
        case .ancc: return CertificateKind.nursing.rawValue
        case .acpe: return CertificateKind.pharmacy.rawValue
        case .aapaCategory1: return CertificateKind.physicianAssistant.rawValue
        case .ipce: return "all who claim IPCE credit"
        case .participation: return CertificateKind.participation.rawValue
        }
    }
}
