import CreditLayout
import CreditPDF
import CreditRecords
import CreditRegistry
import CreditTrust
import Foundation
import Testing

/// Every error of every stage becomes diagnostics, written by one formatter, with its exit
/// status and HTTP status from one table.
struct DiagnosticTests {
    static let cases: [(error: any Error, kind: Diagnostic.Kind, exit: Int32, http: Int, line: String)] = [
        (InputError([Problem(file: "learner.yaml", line: 7, field: "claims[0].amount", learnerID: "L-1",
                             message: "claimed 40 credits, more than the 38.75 designated", hint: "claim at most 38.75 credits")]),
         .input, 65, 422, "learner.yaml:7: field 'claims[0].amount' (learner L-1): claimed 40 credits, more than the 38.75 designated — claim at most 38.75 credits"),
        (LayoutError(file: "physician-cme.yaml", block: "name", message: "the text does not fit", learnerID: "L-2"),
         .layout, 1, 422, "physician-cme.yaml: block 'name' (learner L-2): the text does not fit"),
        (TemplateError(file: "ama-designation.mustache", line: 1, column: 4, message: "template syntax error"),
         .template, 1, 500, "ama-designation.mustache:1:4: template syntax error"),
        (RegistryError("certificate X was revoked"), .registry, 1, 409, "certificate X was revoked"),
        (RenderError(file: "out.pdf", message: "the PDF could not be written: error while writing to output stream"),
         .render, 1, 500, "out.pdf: the PDF could not be written: error while writing to output stream"),
        (FontError(message: "no font files were found in /x"), .resources, 1, 500, "no font files were found in /x"),
        (CocoaError(.fileNoSuchFile), .internal, 1, 500, "\(CocoaError(.fileNoSuchFile))"),
    ]

    @Test(arguments: 0..<cases.count)
    func everyErrorBecomesADiagnosticWithItsStatusesAndOneLine(index: Int) {
        let expected = Self.cases[index]
        let diagnostics = Diagnostic.of(expected.error)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.kind == expected.kind)
        #expect(diagnostics.first?.kind.exitStatus == expected.exit)
        #expect(diagnostics.first?.kind.httpStatus == expected.http)
        #expect(diagnostics.map(DiagnosticFormatter.line) == [expected.line])
        // The error's own description is the same line: there is one wording.
        #expect("\(expected.error)" == expected.line || expected.kind == .internal)
    }

    @Test func aRosterRowIsNamedByRowAndColumn() {
        var problem = Problem(file: "roster.csv", field: "completion_date", learnerID: "L-9", message: "is not a date")
        problem.row = 4
        #expect(problem.description == "roster.csv row 4: column 'completion_date' (learner L-9): is not a date")
    }

    @Test func problemDetailsFollowRFC9457AndListEveryDiagnostic() throws {
        let error = InputError([
            Problem(file: "learner.yaml", line: 3, field: "profession", learnerID: "L-1", message: "'astronaut' is not one of physician, nurse"),
            Problem(file: "learner.yaml", line: 9, field: "completionDate", learnerID: "L-1", message: "is required"),
        ])
        let data = DiagnosticFormatter.problemDetails(Diagnostic.of(error), instance: "/claims/ASCO-AM-2018")
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["type"] as? String == "/problems/input")
        #expect(object["title"] as? String == "The input was refused")
        #expect(object["status"] as? Int == 422)
        #expect(object["detail"] as? String == "learner.yaml:3: field 'profession' (learner L-1): 'astronaut' is not one of physician, nurse")
        #expect(object["instance"] as? String == "/claims/ASCO-AM-2018")
        let errors = try #require(object["errors"] as? [[String: Any]])
        #expect(errors.count == 2)
        #expect(errors[1]["field"] as? String == "completionDate" && errors[1]["line"] as? Int == 9 && errors[1]["learnerID"] as? String == "L-1")
    }
}
