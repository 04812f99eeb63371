import CreditIssuing
import CreditPDF
import CreditRecords
import CreditRegistry
import CreditTrust
import Foundation
import Testing

/// Signing, the registry and verification as a user runs them from the command line.
@Suite(.serialized)
struct TrustCommandLineTests {
    struct Setup {
        let folder: URL
        let keys: URL
        let registry: URL
        let idKey: URL
        var trust: String { keys.appendingPathComponent(TestAuthority.rootFile).path }

        init() throws {
            folder = try Fixture.temporaryFolder()
            keys = folder.appendingPathComponent("keys")
            registry = folder.appendingPathComponent("registry.sqlite")
            idKey = folder.appendingPathComponent("id.key")
            let key = try CommandLineTests.run(["keys", "id", "--out", idKey.path])
            #expect(key.status == 0, "\(key.errors)")
            let made = try CommandLineTests.run(["keys", "init", "--out", keys.path, "--organization", "Example CME Provider"])
            #expect(made.status == 0, "\(made.errors)")
        }

        func issue(_ learner: String, out: String) -> [String] {
            ["certificate", "--activity", Fixture.activityURL.path, "--learner", learner, "--out", folder.appendingPathComponent(out).path,
             "--signing", keys.path, "--registry", registry.path, "--id-key", idKey.path]
        }
    }

    @Test func issueReproduceReissueRevokeAndVerify() throws {
        let setup = try Setup()
        let learner = Fixture.example.appendingPathComponent("learners/physician.yaml").path
        let first = try CommandLineTests.run(setup.issue(learner, out: "first.pdf"))
        #expect(first.status == 0, "\(first.errors)")
        #expect(first.output.contains("signed, recorded"))
        let again = try CommandLineTests.run(setup.issue(learner, out: "again.pdf"))
        #expect(again.output.contains("already issued: reproduced unchanged"), "status \(again.status): \(again.errors)")
        let firstBytes = try Data(contentsOf: setup.folder.appendingPathComponent("first.pdf"))
        #expect(firstBytes == (try Data(contentsOf: setup.folder.appendingPathComponent("again.pdf"))))

        let verified = try CommandLineTests.run(["verify", setup.folder.appendingPathComponent("first.pdf").path,
                                                 "--trust", setup.trust, "--registry", setup.registry.path])
        #expect(verified.status == 0)
        #expect(verified.output.contains(": VALID"))
        #expect(verified.output.contains("PAdES B-B"))
        #expect(!verified.output.contains("FAILED"))
        let id = try #require(verified.output.split(separator: "\n").first { $0.contains("certificate  ") }?
            .split(separator: " ").last.map(String.init))

        // A corrected name: asked for plainly it is refused, saying why; reissued it gets a new id.
        let corrected = try Fixture.file("physician.yaml", try String(contentsOfFile: learner, encoding: .utf8)
            .replacingOccurrences(of: "Sarah A. Whitfield, MD", with: "Sarah A. Whitfield-Okafor, MD"))
        let refused = try CommandLineTests.run(setup.issue(corrected.path, out: "changed.pdf"))
        #expect(refused.status != 0)
        #expect(refused.errors.contains("is frozen") && refused.errors.contains("the learner's record changed"))
        #expect(!FileManager.default.fileExists(atPath: setup.folder.appendingPathComponent("changed.pdf").path))
        let reissued = try CommandLineTests.run(["reissue", "--id", id, "--reason", "name corrected"] + setup.issue(corrected.path, out: "second.pdf").dropFirst())
        #expect(reissued.status == 0, "\(reissued.errors)")

        let old = try CommandLineTests.run(["verify", "--id", id, "--registry", setup.registry.path])
        #expect(old.status == 2)
        #expect(old.output.contains("SUPERSEDED"))
        #expect(old.output.contains("name corrected"))

        let second = setup.folder.appendingPathComponent("second.pdf").path
        #expect(try CommandLineTests.run(["verify", second, "--trust", setup.trust, "--registry", setup.registry.path]).status == 0)
        let newID = try #require(reissued.output.split(separator: " ").first { CertificateID.normalise(String($0)) != nil }.map(String.init))
        #expect(try CommandLineTests.run(["revoke", "--id", newID, "--reason", "credit claimed in error", "--registry", setup.registry.path]).status == 0)
        let revoked = try CommandLineTests.run(["verify", second, "--trust", setup.trust, "--registry", setup.registry.path])
        #expect(revoked.status == 2)
        #expect(revoked.output.contains("REVOKED: credit claimed in error"))
        #expect(revoked.output.contains("revoke"))

        // After a revoke the learner can still be given a certificate: asked for plainly it
        // is refused with the way to do it; reissued it is a new id, the old one stays revoked.
        let plain = try CommandLineTests.run(setup.issue(corrected.path, out: "plain.pdf"))
        #expect(plain.status != 0)
        #expect(plain.errors.contains("was revoked (credit claimed in error); use `creditpress reissue`"), "\(plain.errors)")
        let third = try CommandLineTests.run(["reissue", "--id", newID, "--reason", "credit corrected"] + setup.issue(corrected.path, out: "third.pdf").dropFirst())
        #expect(third.status == 0, "\(third.errors)")
        let thirdFile = setup.folder.appendingPathComponent("third.pdf").path
        let valid = try CommandLineTests.run(["verify", thirdFile, "--trust", setup.trust, "--registry", setup.registry.path])
        #expect(valid.status == 0, "\(valid.output)")
        let thirdID = try #require(third.output.split(separator: " ").first { CertificateID.normalise(String($0)) != nil }.map(String.init))
        #expect(thirdID != newID && thirdID != id)
        let stillRevoked = try CommandLineTests.run(["verify", second, "--trust", setup.trust, "--registry", setup.registry.path])
        #expect(stillRevoked.status == 2)
        #expect(stillRevoked.output.contains("REVOKED: credit claimed in error; replaced by \(thirdID)"), "\(stillRevoked.output)")
        // Asked again, the learner's certificate is the new one, reproduced.
        let reproduced = try CommandLineTests.run(setup.issue(corrected.path, out: "fourth.pdf"))
        #expect(reproduced.status == 0, "\(reproduced.errors)")
        #expect(try Data(contentsOf: setup.folder.appendingPathComponent("fourth.pdf")) == Data(contentsOf: URL(fileURLWithPath: thirdFile)))
        // The revoked one cannot be reissued twice.
        let twice = try CommandLineTests.run(["reissue", "--id", newID, "--reason", "again"] + setup.issue(corrected.path, out: "fifth.pdf").dropFirst())
        #expect(twice.status != 0)
        #expect(twice.errors.contains("was replaced by \(thirdID) already"), "\(twice.errors)")
    }

    @Test func verifySaysWhatIsWrongOrWhatIsMissing() throws {
        let setup = try Setup()
        let run = try CommandLineTests.run(setup.issue(Fixture.example.appendingPathComponent("learners/nurse.yaml").path, out: "c.pdf"))
        #expect(run.status == 0, "\(run.errors)")
        let file = setup.folder.appendingPathComponent("c.pdf")
        var bytes = try Data(contentsOf: file)
        bytes[bytes.count / 3] ^= 0x20
        let tampered = setup.folder.appendingPathComponent("tampered.pdf")
        try bytes.write(to: tampered)
        let result = try CommandLineTests.run(["verify", tampered.path, "--trust", setup.trust])
        #expect(result.status == 2)
        #expect(result.output.contains("NOT VALID"))
        #expect(result.output.contains("[FAILED]"))
        // Without the root nothing fails, but nothing confirms the signer: CANNOT CONFIRM, saying what is missing.
        let untrusted = try CommandLineTests.run(["verify", file.path])
        #expect(untrusted.status == 3)
        #expect(untrusted.output.contains(": CANNOT CONFIRM — nothing failed, but this was not given to check against: a trusted root certificate (--trust FILE.pem, or $CREDITPRESS_TRUST)"),
                "\(untrusted.output)")
        #expect(untrusted.output.contains("no trusted root was given"))
        // Tampered and without the root: a failure is a failure.
        let both = try CommandLineTests.run(["verify", tampered.path])
        #expect(both.status == 2)
        #expect(both.output.contains(": NOT VALID"))
        // An id without a registry: nothing to look it up in.
        let id = try #require(run.output.firstMatch(of: /certificate ([0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z])/).map { String($0.1) })
        let lookUp = try CommandLineTests.run(["verify", "--id", id])
        #expect(lookUp.status == 3)
        #expect(lookUp.output.contains("CANNOT CONFIRM") && lookUp.output.contains("the provider's registry (--registry FILE, or $CREDITPRESS_REGISTRY)"))
        // A file that is no PDF is unreadable input, not a verdict.
        let text = try Fixture.file("letter.txt", "Dear board, please find my certificate attached.\n", in: setup.folder)
        let notPDF = try CommandLineTests.run(["verify", text.path, "--trust", setup.trust])
        #expect(notPDF.status == 65)
        #expect(notPDF.errors.contains("is not a PDF, nor an Open Badge (.jwt)"))
        // A mistyped id is caught by its check character.
        let typo = try CommandLineTests.run(["verify", "--id", "ZZZZZ-ZZZZZ-Z", "--registry", setup.registry.path])
        #expect(typo.status == 2)
        #expect(typo.output.contains("mistyped"))
    }

    /// verify reads registries and never makes one; offline it says what it did not check;
    /// the QR code's address is signed.
    @Test func verifyReadsOnlyAndSaysWhatItDidNotCheck() throws {
        let setup = try Setup()
        let run = try CommandLineTests.run(setup.issue(Fixture.example.appendingPathComponent("learners/physician.yaml").path, out: "c.pdf"))
        #expect(run.status == 0, "\(run.errors)")
        let file = setup.folder.appendingPathComponent("c.pdf").path

        let mistyped = setup.folder.appendingPathComponent("registy.sqlite")
        let typo = try CommandLineTests.run(["verify", file, "--trust", setup.trust, "--registry", mistyped.path])
        #expect(typo.status == 65)
        #expect(typo.errors.contains("there is no registry at this path"), "\(typo.errors)")
        #expect(!FileManager.default.fileExists(atPath: mistyped.path))

        let offline = try CommandLineTests.run(["verify", file, "--trust", setup.trust], environment: ["CREDITPRESS_REGISTRY": ""])
        #expect(offline.status == 0, "\(offline.output)")
        #expect(offline.output.contains("c.pdf: VALID (as issued; revocation not checked: no registry given)"), "\(offline.output)")
        #expect(offline.output.contains("verification     https://cme.example.org/verify (the QR code's address, signed)"), "\(offline.output)")
        let online = try CommandLineTests.run(["verify", file, "--trust", setup.trust, "--registry", setup.registry.path])
        #expect(online.output.contains("c.pdf: VALID\n"), "\(online.output)")

        // The QR text as the PDF carries it, then with its address swapped.
        let index = try PDFIndex(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
        let info = try #require(index.info)
        let qr = try #require(PDFDictionary.string(PDFSigner.payloadKey, in: try index.object(info)))
        let signer = setup.keys.appendingPathComponent(SigningIdentity.certificateFile).path
        let good = try CommandLineTests.run(["verify", "--qr", qr, "--trust", setup.trust, "--signer-certificate", signer])
        #expect(good.status == 0, "\(good.output)")
        let swapped = "https://verify.example.net/" + qr.drop { $0 != "#" }
        let bad = try CommandLineTests.run(["verify", "--qr", swapped, "--trust", setup.trust, "--signer-certificate", signer])
        #expect(bad.status == 2)
        #expect(bad.output.contains("the QR code's address https://verify.example.net/ is not the one signed in it"), "\(bad.output)")
    }

    @Test func keysInitNeverReplacesAKey() throws {
        let setup = try Setup()
        let before = try Data(contentsOf: setup.keys.appendingPathComponent(SigningIdentity.keyFile))
        let again = try CommandLineTests.run(["keys", "init", "--out", setup.keys.path])
        #expect(again.status == 65)
        #expect(again.errors.contains("never replaces a signing key"))
        #expect(try Data(contentsOf: setup.keys.appendingPathComponent(SigningIdentity.keyFile)) == before)
    }

    @Test func aSignedBatchIsRecordedAndReproducedInAnotherFolder() async throws {
        let setup = try Setup()
        let roster = setup.folder.appendingPathComponent("roster.csv")
        try RosterGenerator(seed: 5).write(count: 40, to: roster)
        func batch(_ out: String, _ extra: [String] = []) throws -> CommandLineTests.Run {
            try CommandLineTests.run(["batch", "--activity", Fixture.activityURL.path, "--roster", roster.path,
                                      "--out", setup.folder.appendingPathComponent(out).path, "--id-key", setup.idKey.path,
                                      "--signing", setup.keys.path, "--registry", setup.registry.path, "--jobs", "2"] + extra)
        }
        // The first run's drawing processes add each certificate's page to parts of at most
        // seven pages, which are joined: six parts at least; the second run, on one thread,
        // draws its merged PDF in one go.
        let first = try batch("first", ["--merged-parts-from", "1", "--merged-part-pages", "7"])
        #expect(first.status == 0 || first.status == 2, "\(first.errors)")
        let parts = Int(first.output.components(separatedBy: "(drawn in ").dropFirst().first?.prefix { $0.isNumber } ?? "") ?? 0
        #expect(parts >= 6 && !first.errors.contains("note:"), "\(first.output) \(first.errors)")
        let second = try batch("second", ["--jobs", "1"])
        #expect(!second.output.contains("(drawn in "), "\(second.output)")
        #expect(second.status == first.status)
        let files = try FileManager.default.contentsOfDirectory(atPath: setup.folder.appendingPathComponent("first/certificates").path)
        #expect(files.count > 30)
        let registry = try Registry.open(setup.registry)
        for name in files {
            let a = try Data(contentsOf: setup.folder.appendingPathComponent("first/certificates/\(name)"))
            let b = try Data(contentsOf: setup.folder.appendingPathComponent("second/certificates/\(name)"))
            #expect(a == b, "\(name) differs between the two runs")
            let record = try #require(try await registry.record(id: String(name.dropLast(4))))
            #expect(record.pdfSHA256 == Hex.sha256(Array(a)))
        }
        // The printed pages carry the same ids and QR codes as the certificates' own files,
        // in both parts; joined or not, the merged PDF reads the same.
        let merged = setup.folder.appendingPathComponent("first/merged.pdf").path
        let pages = try #require(Int(try runTool("pdfinfo", [merged]).components(separatedBy: "Pages:").last?
            .split(separator: "\n").first?.trimmingCharacters(in: .whitespaces) ?? ""))
        #expect(pages == files.count)
        for number in ["1", String(pages)] {
            let text = try runTool("pdftotext", ["-f", number, "-l", number, merged, "-"])
            let printedID = try #require(text.components(separatedBy: "Certificate ID ").dropFirst().first?.prefix(13)).description
            let page = setup.folder.appendingPathComponent("page\(number)").path
            try runTool("pdftoppm", ["-png", "-r", "150", "-f", number, "-l", number, "-singlefile", merged, page])
            let scanned = try scanQR(page + ".png")
            #expect(scanned == BatchRunner.qrText(in: setup.folder.appendingPathComponent("first/certificates/\(printedID).pdf")))
        }
        let single = setup.folder.appendingPathComponent("second/merged.pdf").path
        #expect(try pageCharacters(merged) == (try pageCharacters(single)))
        #expect(try runTool("qpdf", ["--check", merged]).contains("No syntax or stream encoding errors"))
        #expect(try mergedOutline(merged).count == files.count)
        #expect(try mergedOutline(merged) == (try mergedOutline(single)))

        let sample = setup.folder.appendingPathComponent("first/certificates/\(files[0])")
        let verified = try CommandLineTests.run(["verify", sample.path, "--trust", setup.trust, "--registry", setup.registry.path])
        #expect(verified.status == 0, "\(verified.output)")
    }

    @Test func aBatchRowIsReissuedSignedFromTheCorrectedRosterAndReprintedAsIssued() throws {
        let setup = try Setup()
        let roster = setup.folder.appendingPathComponent("roster.csv")
        let lines = try String(contentsOf: Fixture.example.appendingPathComponent("roster.csv"), encoding: .utf8)
            .split(separator: "\n").prefix(3).joined(separator: "\n") + "\n"
        try lines.write(to: roster, atomically: true, encoding: .utf8)
        let out = setup.folder.appendingPathComponent("issued")
        let batch = ["batch", "--activity", Fixture.activityURL.path, "--roster", roster.path, "--out", out.path,
                     "--id-key", setup.idKey.path, "--signing", setup.keys.path, "--registry", setup.registry.path, "--jobs", "1"]
        let first = try CommandLineTests.run(batch)
        #expect(first.status == 0, "\(first.errors)")
        let oldFiles = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("certificates").path)
        #expect(oldFiles.count == 2)
        let manifest = try String(contentsOf: out.appendingPathComponent("manifest.csv"), encoding: .utf8)
        let row = try #require(manifest.split(whereSeparator: \.isNewline).first { $0.contains("L-2018-000101") })
        let oldID = try #require(row.split(separator: ",").first { CertificateID.normalise(String($0)) == String($0) }.map(String.init))

        // The name corrected in the roster: the rerun refuses the row and says how to reissue it.
        try lines.replacingOccurrences(of: "Sarah A. Whitfield, MD", with: "Sarah A. Whitfield-Lee, MD")
            .write(to: roster, atomically: true, encoding: .utf8)
        let refused = try CommandLineTests.run(batch)
        #expect(refused.status == 2)
        let rejects = try String(contentsOf: out.appendingPathComponent("rejects.csv"), encoding: .utf8)
        #expect(rejects.contains("creditpress reissue --id \(oldID)") && rejects.contains("--roster THIS-ROSTER --batch THIS-FOLDER"))

        // Unsigned it is refused: the old one was signed.
        let reissue = ["reissue", "--id", oldID, "--reason", "name corrected", "--activity", Fixture.activityURL.path,
                       "--roster", roster.path, "--batch", out.path, "--id-key", setup.idKey.path, "--registry", setup.registry.path]
        let unsigned = try CommandLineTests.run(reissue)
        #expect(unsigned.status != 0)
        #expect(unsigned.errors.contains("\(oldID) was signed, so its replacement must be signed too"))
        let reissued = try CommandLineTests.run(reissue + ["--signing", setup.keys.path])
        #expect(reissued.status == 0, "\(reissued.errors)")
        #expect(reissued.output.contains("supersedes \(oldID) (name corrected), signed"))
        let newID = try #require(reissued.output.split(separator: " ").first { CertificateID.normalise(String($0)) != nil && !$0.contains(oldID) }
            .map { String($0.split(separator: "/").last!.prefix(13)) })
        #expect(newID != oldID)
        let moved = out.appendingPathComponent("superseded/\(oldID).pdf")
        #expect(FileManager.default.fileExists(atPath: moved.path))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("certificates/\(oldID).pdf").path))
        let newFile = out.appendingPathComponent("certificates/\(newID).pdf")
        let text = try runTool("pdftotext", [newFile.path, "-"])
        #expect(text.contains("Sarah A. Whitfield-Lee, MD"))
        let verified = try CommandLineTests.run(["verify", newFile.path, "--trust", setup.trust, "--registry", setup.registry.path])
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains(": VALID"))
        let old = try CommandLineTests.run(["verify", moved.path, "--trust", setup.trust, "--registry", setup.registry.path])
        #expect(old.status == 2)
        #expect(old.output.contains("SUPERSEDED") && old.output.contains(newID))
        let corrections = try String(contentsOf: out.appendingPathComponent("corrections.csv"), encoding: .utf8)
        #expect(corrections.contains("\(oldID),\(newID),L-2018-000101,\"Sarah A. Whitfield-Lee, MD\",name corrected"))

        // The rerun now issues every row: the new id in the manifest, its file unchanged.
        let before = try Data(contentsOf: newFile)
        let rerun = try CommandLineTests.run(batch)
        #expect(rerun.status == 0, "\(rerun.errors)")
        let after = try String(contentsOf: out.appendingPathComponent("manifest.csv"), encoding: .utf8)
        #expect(after.contains(newID) && !after.contains(oldID))
        #expect(try Data(contentsOf: newFile) == before)

        // Reprinted from the registry alone, the superseded certificate is its issued bytes.
        let copy = setup.folder.appendingPathComponent("copy.pdf")
        let reprint = try CommandLineTests.run(["reprint", "--id", oldID, "--activity", Fixture.activityURL.path,
                                                "--registry", setup.registry.path, "--id-key", setup.idKey.path, "--out", copy.path])
        #expect(reprint.status == 0, "\(reprint.errors)")
        #expect(reprint.output.contains("superseded by \(newID)"))
        #expect(try Data(contentsOf: copy) == Data(contentsOf: moved))
        let unknown = try CommandLineTests.run(["reprint", "--id", "YTFQT-8GZME-6", "--activity", Fixture.activityURL.path,
                                                "--registry", setup.registry.path, "--out", copy.path])
        #expect(unknown.status == 65)
        #expect(unknown.errors.contains("has no certificate YTFQT-8GZME-6"))
    }

    /// The QR code is a 1-bit image of a few hundred bytes, drawn without smoothing, that a
    /// phone reads from a 100 dpi rendering; the signature's room is what the identity needs.
    @Test func theQRCodeIsASmallStencilImageThatScansAt100DPI() throws {
        let setup = try Setup()
        let learner = Fixture.example.appendingPathComponent("learners/physician.yaml").path
        let run = try CommandLineTests.run(setup.issue(learner, out: "signed.pdf"))
        #expect(run.status == 0, "\(run.errors)")
        let pdf = setup.folder.appendingPathComponent("signed.pdf")
        let images = try runTool("pdfimages", ["-list", pdf.path]).split(separator: "\n").dropFirst(2)
        let stencil = try #require(images.first { $0.contains("stencil") })
        let fields = stencil.split(separator: " ")
        #expect(fields.contains("no"), "drawn without interpolation: \(stencil)")
        let size = try #require(fields.last { $0.hasSuffix("B") || $0.hasSuffix("K") })
        #expect(size.hasSuffix("B"), "the QR image is under a kilobyte: \(stencil)")
        let page = setup.folder.appendingPathComponent("page").path
        try runTool("pdftoppm", ["-png", "-r", "100", "-singlefile", pdf.path, page])
        let scanned = try scanQR(page + ".png")
        #expect(scanned == BatchRunner.qrText(in: pdf))
        let bytes = try Data(contentsOf: pdf).count
        #expect(bytes <= 50 * 1024 + 6 * 1024, "\(bytes) bytes")
    }
}

