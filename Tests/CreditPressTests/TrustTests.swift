import CreditIssuing
import CreditLayout
import CreditPDF
import CreditRecords
import CreditRegistry
import CreditRender
import CreditTrust
import Crypto
import Foundation
import Testing
import X509

/// Signed certificates as a licensing board checks them: PAdES rules, independent
/// validators (pyHanko, poppler's pdfsig, openssl), tampering, the QR code, the registry.
@Suite(.serialized)
struct TrustTests {
    /// One test CA and signing identity for the whole suite.
    static let keys: (folder: URL, identity: SigningIdentity, root: URL) = {
        do {
            let folder = try Fixture.temporaryFolder().appendingPathComponent("keys")
            _ = try TestAuthority.make(in: folder, organization: "CreditPress tests", now: Date())
            return (folder, try SigningIdentity.load(from: folder), folder.appendingPathComponent(TestAuthority.rootFile))
        } catch {
            fatalError("\(error)")
        }
    }()

    static var roots: [Certificate] { (try? SigningIdentity.readCertificates(keys.root)) ?? [] }

    @Test func theSignersPiecesEncodedOnceGiveTheSameSignedAttributes() throws {
        let identity = Self.keys.identity
        let pieces = try #require(identity.signerPieces)
        for seed in [0, 1, 255] as [UInt8] {
            let digest = Array(SHA256.hash(data: [seed]))
            let once = try pieces.signedAttributes(digest: digest)
            let each = try CMSSignature.signedAttributes(digest: digest, certificate: identity.certificate, certificateHash: identity.certificateSHA256)
            #expect(once.content == each.content && once.setEncoding == each.setEncoding)
            #expect(once.content.count > 100 && once.setEncoding.first == 0x31)
        }
    }

    /// A signed certificate for an example learner, issued through `registry` if given.
    static func issue(_ learner: String = "physician", signing: SigningIdentity? = keys.identity, registry: (any CertificateRegistry)? = nil,
                      learnerText: String? = nil) async throws -> IssueResult {
        let issuer = CertificateIssuer(renderer: try Fixture.renderer(), idKey: IssuerKey(secret: Data(repeating: 7, count: 32),
                                                                                          file: URL(fileURLWithPath: "/dev/null"), created: false),
                                       signing: signing, registry: registry)
        let folder = Fixture.example.appendingPathComponent("learners")
        let file = ["yaml", "json"].map { folder.appendingPathComponent("\(learner).\($0)") }
            .first { FileManager.default.fileExists(atPath: $0.path) }!
        let text = try learnerText ?? String(contentsOf: file, encoding: .utf8)
        let learnerFile = try Fixture.file(file.lastPathComponent, text)
        let input = IssueInput(activity: try Fixture.activity(), activityText: try String(contentsOf: Fixture.activityURL, encoding: .utf8),
                               learner: try LearnerReader.read(learnerFile), learnerText: text, creationDate: Fixture.fixedDate)
        return try await issuer.issue(input)
    }

    static func write(_ bytes: [UInt8], _ name: String = "signed.pdf") throws -> URL {
        let url = try Fixture.temporaryFolder().appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    // MARK: PAdES baseline B-B

    @Test func signatureFollowsPAdESBaselineB() async throws {
        let pdf = try await Self.issue().bytes
        let dictionary = try #require(SignatureVerifier.firstSignatureDictionary(in: pdf))
        #expect(dictionary.text.contains("/SubFilter /ETSI.CAdES.detached"))
        #expect(dictionary.text.contains("/Filter /Adobe.PPKLite"))
        #expect(dictionary.text.contains("/M (D:"))
        #expect(!dictionary.text.contains("/Cert"))
        // The byte range covers everything but the /Contents hole, whose room is the identity's
        // measured CMS size and a margin, not a fixed 8 KiB of zeros.
        let range = dictionary.byteRange
        #expect(range.count == 4 && range[0] == 0 && range[2] + range[3] == pdf.count)
        let room = (range[2] - range[1] - 2) / 2
        let hex = Array(pdf[(range[1] + 1)..<(range[2] - 1)])
        let der = try #require(SignatureVerifier.hexBytes(hex))
        let cms = try CMSSignedDataReader(der)
        let used = (der.lastIndex { $0 != 0 } ?? 0) + 1
        #expect(room >= used + 32 && room <= used + 320 && room % 256 == 0, "room \(room) for \(used) bytes")
        #expect(Set(cms.signedAttributes.keys) == [OIDs.contentType, OIDs.messageDigest, OIDs.signingCertificateV2])
        #expect(cms.signedAttributes[OIDs.signingTime] == nil)
        #expect(cms.content == nil, "the signature is detached")
        #expect(SignatureVerifier(roots: Self.roots, clock: SystemClock()).verify(pdf).isValid)
    }

    @Test func openSSLReadsTheSignedAttributes() async throws {
        let pdf = try await Self.issue().bytes
        let range = try #require(SignatureVerifier.firstSignatureDictionary(in: pdf)).byteRange
        let der = try #require(SignatureVerifier.hexBytes(Array(pdf[(range[1] + 1)..<(range[2] - 1)])))
        let file = try Self.write(der, "signature.der")
        let printed = try runTool("openssl", ["cms", "-inform", "DER", "-in", file.path, "-cmsout", "-print"])
        #expect(printed.contains("contentType"))
        #expect(printed.contains("messageDigest"))
        #expect(printed.contains("1.2.840.113549.1.9.16.2.47") || printed.contains("signingCertificateV2"))
        #expect(!printed.contains("signingTime"))
    }

    @Test func pyHankoAndPdfsigJudgeTheSignatureValidAndTrusted() async throws {
        let url = try Self.write(try await Self.issue("arabic").bytes)
        let trust = ["--trust", Self.keys.root.path, "--trust-replace", "--no-revocation-check"]
        let validate = try runTool("pyhanko", ["sign", "validate", "--pretty-print"] + trust + [url.path])
        #expect(validate.contains("The signer's certificate is trusted."))
        #expect(validate.contains("The signature is cryptographically sound."))
        #expect(validate.contains("The signature covers the entire file."))
        #expect(validate.contains("The signature is judged VALID."))
        let ades = try runTool("pyhanko", ["sign", "adesverify", "--pretty-print"] + trust + [url.path])
        #expect(ades.contains("The signature is judged VALID."))
        #expect(ades.contains("The signature covers the entire file."))

        let nss = try Fixture.temporaryFolder()
        try runTool("certutil", ["-N", "-d", "sql:\(nss.path)", "--empty-password"])
        try runTool("certutil", ["-A", "-d", "sql:\(nss.path)", "-n", "root", "-t", "CT,C,C", "-i", Self.keys.root.path])
        let pdfsig = try runTool("pdfsig", ["-nssdir", "sql:\(nss.path)", url.path])
        #expect(pdfsig.contains("Signature is Valid."))
        #expect(pdfsig.contains("Certificate is Trusted."))
        #expect(pdfsig.contains("Total document signed"))
        #expect(pdfsig.contains("ETSI.CAdES.detached"))
    }

    @Test func certificationSignatureAllowsFormFilling() async throws {
        let issuer = CertificateIssuer(renderer: try Fixture.renderer(), idKey: IssuerKey(secret: Data(repeating: 7, count: 32),
                                                                                          file: URL(fileURLWithPath: "/dev/null"), created: false),
                                       signing: Self.keys.identity, registry: nil)
        issuer.certify = true
        let learner = try Fixture.learner("nurse")
        let result = try await issuer.issue(IssueInput(activity: try Fixture.activity(), activityText: "", learner: learner,
                                                 learnerText: "", creationDate: Fixture.fixedDate))
        let text = try #require(SignatureVerifier.firstSignatureDictionary(in: result.bytes)).text
        #expect(text.contains("/TransformMethod /DocMDP"))
        #expect(text.contains("/P 2"))
        let report = SignatureVerifier(roots: Self.roots, clock: SystemClock()).verify(result.bytes)
        #expect(report.isValid && report.certified)
    }

    @Test func anRSASigningKeySignsThePDFAndAP256KeyTheQRPayload() async throws {
        let folder = try Fixture.temporaryFolder()
        let ca = Self.keys.folder
        let extensions = try Fixture.file("ext.cnf", """
            [signer]
            basicConstraints=critical,CA:false
            keyUsage=critical,digitalSignature,nonRepudiation
            extendedKeyUsage=1.3.6.1.5.5.7.3.36,emailProtection
            """, in: folder)
        func issue(key: String, certificate: String, name: String) throws {
            let csr = folder.appendingPathComponent("\(name).csr").path
            try runTool("openssl", ["req", "-new", "-key", folder.appendingPathComponent(key).path, "-subj", "/O=RSA provider/CN=\(name)", "-out", csr])
            try runTool("openssl", ["x509", "-req", "-in", csr, "-CA", ca.appendingPathComponent(TestAuthority.rootFile).path,
                                    "-CAkey", ca.appendingPathComponent(TestAuthority.rootKeyFile).path, "-CAcreateserial",
                                    "-days", "30", "-extfile", extensions.path, "-extensions", "signer",
                                    "-out", folder.appendingPathComponent(certificate).path])
        }
        try runTool("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", folder.appendingPathComponent(SigningIdentity.keyFile).path])
        try issue(key: SigningIdentity.keyFile, certificate: SigningIdentity.certificateFile, name: "RSA signer")
        // Without a P-256 key for the QR payload, the identity is refused, saying what to add.
        #expect(throws: InputError.self) { try SigningIdentity.load(from: folder) }
        try runTool("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", folder.appendingPathComponent(SigningIdentity.payloadKeyFile).path])
        try issue(key: SigningIdentity.payloadKeyFile, certificate: SigningIdentity.payloadCertificateFile, name: "RSA provider QR")

        let pdf = try await Self.issue("nurse", signing: try SigningIdentity.load(from: folder)).bytes
        let report = await CertificateVerifier(roots: Self.roots, clock: SystemClock()).verify(pdf: pdf)
        #expect(report.isValid, "\(report.allChecks.filter { !$0.passed })")
        let pyhanko = try runTool("pyhanko", ["sign", "validate", "--pretty-print", "--trust", Self.keys.root.path,
                                              "--trust-replace", "--no-revocation-check", try Self.write(pdf).path])
        #expect(pyhanko.contains("sha256_rsa"))
        #expect(pyhanko.contains("The signature is judged VALID."))
    }

    @Test func aSignedTranscriptVerifies() async throws {
        let transcript = try TranscriptTests.transcript()
        let layout = try TranscriptLayout.read(Fixture.resources.transcriptLayouts.appendingPathComponent("transcript.yaml"), fonts: Fixture.fonts)
        let folder = try Fixture.temporaryFolder()
        let url = folder.appendingPathComponent("transcript.pdf")
        let metadata = PDFMetadata(title: "Transcript", author: transcript.issuer, subject: "", keywords: [], creationDate: Fixture.fixedDate)
        let pages = try TranscriptWriter(layout: layout, engine: try Fixture.renderer().layouter.engine)
            .write(transcript, to: url, metadata: metadata, signing: Self.keys.identity, signedAt: Date())
        #expect(pages == 3)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["transcript.pdf"], "no unsigned copy is left")
        let report = await CertificateVerifier(roots: Self.roots, clock: SystemClock()).verify(pdf: Array(try Data(contentsOf: url)))
        #expect(report.isValid, "\(report.allChecks.filter { !$0.passed })")
        #expect(try runTool("pdfinfo", [url.path]).contains("Pages:           3"))
    }

    // MARK: B-T with a local time-stamp authority

    @Test func timestampedSignatureValidatesAsBaselineT() async throws {
        let authority = Process()
        authority.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let tsaFolder = try Fixture.temporaryFolder()
        authority.arguments = ["python3", Fixture.root.appendingPathComponent("scripts/test-tsa.py").path, tsaFolder.path]
        let output = Pipe(), input = Pipe()
        authority.standardOutput = output
        authority.standardInput = input
        authority.standardError = FileHandle.nullDevice
        try authority.run()
        defer {
            try? input.fileHandleForWriting.close()
            authority.waitUntilExit()
        }
        let address = String(decoding: LineReader(descriptor: output.fileHandleForReading.fileDescriptor).next() ?? Data(), as: UTF8.self)
        let url = try #require(URL(string: address), "the test TSA did not start")
        var identity = Self.keys.identity
        identity.timestampURL = url
        let pdf = try await Self.issue("pharmacist", signing: identity).bytes
        let tsaRoot = tsaFolder.appendingPathComponent("tsa-root.pem")
        let report = SignatureVerifier(roots: Self.roots + (try SigningIdentity.readCertificates(tsaRoot)), clock: SystemClock()).verify(pdf)
        #expect(report.isValid, "\(report.checks.filter { !$0.passed })")
        #expect(report.level == "PAdES B-T")
        #expect(report.timestamp != nil)

        let file = try Self.write(pdf)
        let ades = try runTool("pyhanko", ["sign", "adesverify", "--pretty-print", "--trust", Self.keys.root.path,
                                           "--trust", tsaRoot.path, "--trust-replace", "--no-revocation-check", file.path])
        #expect(ades.contains("This timestamp is backed by a time stamping authority."))
        #expect(ades.contains("The TSA certificate is trusted."))
        #expect(ades.contains("The signature is judged VALID."))
    }

    @Test func anAuthorityThatDoesNotAnswerIsGivenUpAfterThreeTries() async throws {
        var identity = Self.keys.identity
        // Port 9 (discard) on the loopback: nothing listens there in a test run.
        identity.timestampURL = URL(string: "http://127.0.0.1:9/")
        var messages: [String] = []
        for _ in 0..<4 {
            do {
                _ = try await Self.issue("nurse", signing: identity)
            } catch let error as TimestampError {
                messages.append(error.reason)
            }
        }
        #expect(messages.count == 4)
        #expect(messages.last?.hasPrefix("not asked: it failed three times in a row") == true)
    }

    // MARK: Tampering

    @Test(arguments: [0.001, 0.25, 0.5, 0.999])
    func aFlippedByteAnywhereInTheSignedRangeIsReported(position: Double) async throws {
        var pdf = try await Self.issue().bytes
        let range = try #require(SignatureVerifier.firstSignatureDictionary(in: pdf)).byteRange
        let signed = Array(0..<range[1]) + Array(range[2]..<pdf.count)
        let index = signed[Int(Double(signed.count - 1) * position)]
        pdf[index] ^= 0x01
        let report = await CertificateVerifier(roots: Self.roots, clock: SystemClock()).verify(pdf: pdf)
        #expect(!report.isValid)
        // Where the flip leaves the structure readable, the digest check is what fails.
        let failed = report.allChecks.filter { !$0.passed }.map(\.name)
        #expect(!failed.isEmpty)
    }

    @Test func anEditedCreditAmountIsReportedByUsAndByPyHanko() async throws {
        let result = try await Self.issue()
        var pdf = result.bytes
        // The amount in the document information (UTF-16 hexadecimal, for its ™), edited
        // in place so that the file keeps its length: 24.5 becomes 42.5.
        let amount = Array("00320034002E0035".utf8), edited = Array("00340032002E0035".utf8)
        let found = PDFIndex.firstRange(of: amount, in: pdf, from: 0, limit: pdf.count)
        let at = try #require(found, "the credit amount is not in the document information")
        pdf.replaceSubrange(at..<(at + amount.count), with: edited)
        let report = await CertificateVerifier(roots: Self.roots, clock: SystemClock()).verify(pdf: pdf)
        #expect(report.allChecks.contains { $0.name == "content unchanged" && !$0.passed })
        let pyhanko = try runAny("pyhanko", ["sign", "validate", "--pretty-print", "--trust", Self.keys.root.path,
                                             "--trust-replace", "--no-revocation-check", try Self.write(pdf).path])
        #expect(!pyhanko.output.contains("judged VALID"))
    }

    @Test func anAppendedIncrementalUpdateIsReportedByUsAndByPyHanko() async throws {
        let pdf = try await Self.issue().bytes
        // A later revision that replaces the document information with a larger credit.
        let index = try PDFIndex(pdf)
        let info = try #require(index.info)
        var text = try index.object(info)
        let subject = try #require(text.firstMatch(of: /\/Subject\s*(<[0-9A-Fa-f\s]*>|\([^)]*\))/))
        text.replaceSubrange(subject.range, with: "/Subject (CME certificate, 83.75 credits)")
        let addition = "\n\(info) 0 obj\n\(text)\nendobj\n"
        let offset = pdf.count + 1
        let xrefAt = pdf.count + addition.utf8.count
        let tail = String(format: "xref\n%d 1\n%010d 00000 n \ntrailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n",
                          info, offset, index.size, index.root, info, index.startXref, xrefAt)
        let tampered = pdf + Array(addition.utf8) + Array(tail.utf8)
        let report = await CertificateVerifier(roots: Self.roots, clock: SystemClock()).verify(pdf: tampered)
        let coverage = try #require(report.allChecks.first { $0.name == "changes after signing" })
        #expect(!coverage.passed)
        #expect(coverage.detail.contains("the document information changed its /Subject"), "\(coverage.detail)")
        #expect(!report.isValid)
        let pyhanko = try runAny("pyhanko", ["sign", "validate", "--pretty-print", "--trust", Self.keys.root.path,
                                             "--trust-replace", "--no-revocation-check", try Self.write(tampered).path])
        #expect(!pyhanko.output.contains("The signature covers the entire file."))
        #expect(pyhanko.output.contains("INVALID") || pyhanko.output.contains("modif"))
    }

    // MARK: QR code

    @Test(arguments: ["physician", "long-name", "chinese", "vietnamese"])
    func theQRCodeDecodesFromThePrintedPageAndVerifiesOffline(learner: String) async throws {
        let result = try await Self.issue(learner)
        let placed = result.certificate.page.items.compactMap { item -> PageFrame.PlacedQR? in
            if case .qr(let code) = item { return code } else { return nil }
        }
        let code = try #require(placed.first)
        #expect(code.matrix.version <= QRMatrix.maximumVersion)
        let folder = try Fixture.temporaryFolder()
        let pdf = folder.appendingPathComponent("c.pdf")
        try Data(result.bytes).write(to: pdf)
        try runTool("pdftoppm", ["-png", "-r", "150", "-singlefile", pdf.path, folder.appendingPathComponent("page").path])
        let decoded = try scanQR(folder.appendingPathComponent("page.png").path)
        #expect(decoded == result.certificate.qrText)
        #expect(decoded.hasPrefix("https://cme.example.org/verify#CP2:"))

        let verifier = CertificateVerifier(roots: Self.roots, signers: [Self.keys.identity.certificate], clock: SystemClock())
        let report = await verifier.verify(qr: decoded)
        #expect(report.isValid, "\(report.allChecks.filter { !$0.passed })")
        #expect(report.payload?.certificateID == result.id)
        // This identity's organisation is not the provider's: the payload names the provider.
        #expect(report.payload?.issuer == "American Society of Clinical Oncology")
        #expect(CertificateVerifier.matches(try #require(report.payload?.learnerName), try Fixture.learner(learner).professionalName))
    }

    /// An identity whose organisation is the example activity's provider, as a provider's own would be.
    static let providerKeys: (identity: SigningIdentity, root: URL) = {
        do {
            let folder = try Fixture.temporaryFolder().appendingPathComponent("keys")
            _ = try TestAuthority.make(in: folder, organization: "American Society of Clinical Oncology", now: Date())
            return (try SigningIdentity.load(from: folder), folder.appendingPathComponent(TestAuthority.rootFile))
        } catch {
            fatalError("\(error)")
        }
    }()

    /// A page rendered at 100 dpi, and at 150 dpi turned 3° either way and blurred with a
    /// Gaussian of σ 1 pixel (Tests/Support/scan-qr.py, Pillow), read by zbarimg from the whole page.
    @Test(arguments: ["physician", "long-name", "arabic", "vietnamese", "pharmacy-technician", "physician-assistant"])
    func theQRCodeReadsFromASoftSkewedScan(learner: String) async throws {
        let result = try await Self.issue(learner, signing: Self.providerKeys.identity)
        let code = try #require(result.certificate.page.items.compactMap { item -> PageFrame.PlacedQR? in
            if case .qr(let code) = item { return code } else { return nil }
        }.first)
        #expect(code.matrix.version <= QRMatrix.preferredVersion(inBox: code.size), "version \(code.matrix.version)")
        #expect(code.size / Double(code.matrix.size + 8) >= QRMatrix.preferredModule)
        let text = try #require(result.certificate.qrText)
        let folder = try Fixture.temporaryFolder()
        let pdf = folder.appendingPathComponent("c.pdf")
        try Data(result.bytes).write(to: pdf)
        try runTool("pdftoppm", ["-png", "-r", "150", "-singlefile", pdf.path, folder.appendingPathComponent("page150").path])
        try runTool("pdftoppm", ["-png", "-r", "100", "-singlefile", pdf.path, folder.appendingPathComponent("page100").path])
        let scan = Fixture.root.appendingPathComponent("Tests/Support/scan-qr.py").path
        for (page, turn, blur) in [("page100", 0.0, 0.0), ("page150", 3.0, 1.0), ("page150", -3.0, 1.0)] {
            let read = try runAny("python3", [scan, folder.appendingPathComponent("\(page).png").path, "--rotate", "\(turn)", "--blur", "\(blur)"])
            #expect(read.status == 0 && read.output.trimmingCharacters(in: .whitespacesAndNewlines) == text,
                    "\(learner): \(page) turned \(turn)° blurred σ \(blur) reads \(read.output.prefix(60))")
        }
        // The signer's organisation is the provider: the payload leaves the issuer out and
        // verification reads it from the certificate.
        let digits = try #require(text.split(separator: ":").last)
        let message = try #require(DecimalDigits.decode(String(digits)))
        guard case .tagged(18, .array(let parts)) = try CBOR.decode(message), let payload = parts[2].bytes else {
            Issue.record("not a COSE_Sign1 message")
            return
        }
        #expect(try CBOR.decode(payload)[2] == nil)
        let verifier = CertificateVerifier(roots: [try Certificate(pemEncoded: String(contentsOf: Self.providerKeys.root, encoding: .utf8))],
                                           signers: [Self.providerKeys.identity.payloadCertificate], clock: SystemClock())
        let report = await verifier.verify(qr: text)
        #expect(report.isValid, "\(report.allChecks.filter { !$0.passed })")
        #expect(report.payload?.issuer == "American Society of Clinical Oncology")
        #expect(report.payload?.completionDate == (try Fixture.learner(learner)).completionDate.description)
    }

    @Test func aCP2PayloadCaughtChangedInItsDigitsOrAddress() async throws {
        let text = try #require(try await Self.issue().certificate.qrText)
        let signers = [Self.keys.identity.payloadCertificate]
        guard case .success = VerificationPayload.open(text, signers: signers) else {
            Issue.record("the payload as issued does not open")
            return
        }
        var digits = Array(text)
        let last = digits.count - 5
        digits[last] = digits[last] == "1" ? "2" : "1"
        for (changed, words) in [(String(digits), "was changed after issue"),
                                 (text.replacingOccurrences(of: "cme.example.org", with: "cme.example.net"), "is not the one signed in it"),
                                 (String(text.dropLast(1)), "do not make whole bytes")] {
            guard case .failure(let error) = VerificationPayload.open(changed, signers: signers) else {
                Issue.record("a changed payload opened: \(changed.suffix(30))")
                continue
            }
            #expect(error.description.contains(words), "\(error)")
        }
    }

    @Test func digitsRoundTripEveryLengthAndRefuseOthers() {
        for count in 0...40 {
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 255) }
            let digits = DecimalDigits.encode(bytes)
            #expect(digits.utf8.allSatisfy { $0 >= 48 && $0 <= 57 })
            #expect(DecimalDigits.decode(digits) == bytes, "\(count) bytes")
            #expect(digits.count == count / 7 * 17 + [0, 3, 5, 8, 10, 13, 15][count % 7])
        }
        #expect(DecimalDigits.decode("99999999999999999") == nil, "above 2^56")
        #expect(DecimalDigits.decode("256") == nil, "above one byte")
        #expect(DecimalDigits.decode("1234") == nil, "no group is four digits")
        #expect(DecimalDigits.decode("12a") == nil)
    }

    @Test(arguments: ["HTTPS://CME.EXAMPLE.ORG/VERIFY#CP1:ABC", String(repeating: "Ünïcødé ✓ ", count: 20)])
    func theQRCodesOutlinesCoverExactlyItsDarkModules(text: String) async throws {
        let matrix = try QRMatrix.encode(text)
        let loops = matrix.outlines
        // The winding number at each module's centre, from the vertical edges to its right.
        for row in 0..<matrix.size {
            for column in 0..<matrix.size {
                let (x, y) = (Double(column) + 0.5, Double(row) + 0.5)
                var winding = 0
                for loop in loops {
                    for (index, a) in loop.enumerated() {
                        let b = loop[(index + 1) % loop.count]
                        guard a.x == b.x, Double(a.x) > x, (Double(a.y) < y) != (Double(b.y) < y) else { continue }
                        winding += b.y > a.y ? 1 : -1
                    }
                }
                #expect((winding != 0) == matrix[row, column], "module \(row), \(column)")
            }
        }
    }

    @Test func aPayloadWithOneChangedCharacterFails() async throws {
        let text = try #require(try await Self.issue().certificate.qrText)
        let verifier = CertificateVerifier(roots: Self.roots, signers: [Self.keys.identity.certificate], clock: SystemClock())
        #expect(await verifier.verify(qr: text).isValid)
        for offset in [40, 120, text.count - 60, text.count - 2] {
            var characters = Array(text)
            characters[offset] = characters[offset] == "A" ? "B" : "A"
            #expect(await !verifier.verify(qr: String(characters)).isValid, "changed at \(offset)")
        }
    }

    @Test func aPayloadFromAnotherKeyFails() async throws {
        let text = try #require(try await Self.issue().certificate.qrText)
        let folder = try Fixture.temporaryFolder().appendingPathComponent("other")
        let other = try TestAuthority.make(in: folder, organization: "Someone else", now: Date())
        #expect(await !CertificateVerifier(roots: [other.root], signers: [other.signer], clock: SystemClock()).verify(qr: text).isValid)
    }

    @Test(arguments: [
        (#"<< /Title (a\(b\) \101\12x\\) >>"#, "a(b) A\nx\\"),
        ("<< /Title (nested (parens) kept) >>", "nested (parens) kept"),
        ("<< /Title <FEFF0645062D0645062F> >>", "محمد"),
        (#"<< /Title (\0537) >>"#, "+7"),
    ])
    func readsPDFTextStringsWithTheirEscapes(dictionary: String, expected: String) {
        #expect(PDFDictionary.string("Title", in: dictionary) == expected)
    }

    // MARK: Accessibility

    @Test func pdfinfoReportsTheSignedPDFTaggedWithLanguageAndAlternativeText() async throws {
        let result = try await Self.issue()
        let url = try Self.write(result.bytes)
        #expect(try runTool("pdfinfo", [url.path]).contains("Tagged:          yes"))
        let text = String(decoding: result.bytes, as: UTF8.self)
        #expect(text.contains("/Lang (en-US)"))
        #expect(text.contains("/Alt (Verification QR code"))
        #expect(text.contains("/Alt (Provider logo)"))
        try runTool("qpdf", ["--check", url.path])
    }

    // MARK: Registry

    @Test func anIssuedCertificateIsFrozenReissuedAndRevokedWithAnAuditTrail() async throws {
        let registry = try Registry.open(try Fixture.temporaryFolder().appendingPathComponent("registry.sqlite"))
        let first = try await Self.issue(registry: registry)
        let again = try await Self.issue(registry: registry)
        #expect(again.reproduced)
        #expect(again.bytes == first.bytes, "re-rendering an issued id gives the same bytes")

        let learnerFile = Fixture.example.appendingPathComponent("learners/physician.yaml")
        let corrected = try String(contentsOf: learnerFile, encoding: .utf8)
            .replacingOccurrences(of: "Sarah A. Whitfield, MD", with: "Sarah A. Whitfield-Park, MD")
        await #expect(throws: RegistryError.self) { try await Self.issue(registry: registry, learnerText: corrected) }

        let issuer = CertificateIssuer(renderer: try Fixture.renderer(), idKey: IssuerKey(secret: Data(repeating: 7, count: 32),
                                                                                          file: URL(fileURLWithPath: "/dev/null"), created: false),
                                       signing: Self.keys.identity, registry: registry)
        let file = try Fixture.file("physician.yaml", corrected)
        let reissued = try await issuer.reissue(first.id, input: IssueInput(
            activity: try Fixture.activity(), activityText: try String(contentsOf: Fixture.activityURL, encoding: .utf8),
            learner: try LearnerReader.read(file), learnerText: corrected, creationDate: Fixture.fixedDate),
            reason: "name corrected")
        #expect(reissued.id != first.id)

        let verifier = CertificateVerifier(roots: Self.roots, registry: registry, clock: SystemClock())
        let old = await verifier.verify(id: first.id)
        #expect(!old.isValid)
        #expect(old.record?.status == .superseded && old.record?.supersededBy == reissued.id)
        #expect(await verifier.verify(pdf: first.bytes).allChecks.contains { $0.name == "status" && !$0.passed })
        #expect(await verifier.verify(pdf: reissued.bytes).isValid)

        try await registry.revoke(id: reissued.id, reason: "claimed in error", actor: "test-staff", at: Fixture.fixedDate)
        let revoked = await verifier.verify(id: reissued.id.lowercased().replacingOccurrences(of: "-", with: ""))
        #expect(revoked.record?.status == .revoked)
        #expect(revoked.allChecks.contains { $0.detail.contains("claimed in error") })
        #expect(try await registry.audit(id: reissued.id).map(\.action) == ["reissue", "revoke"])
        #expect(try await registry.audit(id: first.id).map(\.action) == ["issue", "supersede"])
    }
}

/// Runs a tool whose exit status is part of what is being checked.
func runAny(_ name: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [name] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Signing times read from a file's `/M`: what the file says, or nothing — never a crash.
struct PDFDateTests {
    @Test(arguments: [
        ("D:20180605120000Z", "2018-06-05T12:00:00Z"),
        ("D:20180605120000+00'00'", "2018-06-05T12:00:00Z"),
        ("D:20180605140000+02'00'", "2018-06-05T12:00:00Z"),
        ("D:20180605070000-05'00'", "2018-06-05T12:00:00Z"),
        ("D:2018060512000٣Z", nil),
        ("D:٣٣٣٣٣٣٣٣٣٣٣٣٣٣", nil),
        ("D:20181305120000Z", nil),
        ("D:20180231120000Z", nil),
        ("D:20180605250000Z", nil),
        ("D:20180605120000+23'00'", nil),
        ("D:2018", nil),
        ("", nil),
    ] as [(String, String?)])
    func aSigningTimeIsReadOrRefusedNeverGuessed(text: String, expected: String?) {
        let date = SignatureVerifier.pdfDate(text)
        #expect(date.map { ISO8601DateFormatter().string(from: $0) } == expected)
    }
}

/// Dates written by bytes give what Foundation's formatting and calendar gave.
struct WrittenDateTests {
    @Test func isoDatesAndPDFDatesMatchPrintf() throws {
        var generator = SeededDigits(seed: 7)
        let instants = [-62_135_596_800.0, -1.0, 0, 951_782_400, 1_528_200_000.9, 4_102_444_799, 253_402_300_799]
            + (0..<500).map { _ in Double(Int(String((0..<10).map { _ in generator.next() }))! % 4_102_444_800) }
        for seconds in instants {
            let date = Date(timeIntervalSince1970: seconds)
            var whole = time_t(seconds.rounded(.down)), parts = tm()
            gmtime_r(&whole, &parts)
            let fields = [Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                          Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec)]
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", fields[0], fields[1], fields[2], fields[3], fields[4], fields[5])
            #expect(ISODate.string(date) == expected, "\(seconds)")
            #expect(PDFText.date(date) == "D:" + expected.filter(\.isNumber) + "+00'00'", "\(seconds)")
            #expect(ISODate.date(expected) == Date(timeIntervalSince1970: seconds.rounded(.down)))
        }
    }

    /// The payload's day numbers, against the Gregorian calendar's answer, days past a
    /// month's end included.
    @Test func dayNumbersAreTheCalendarsDays() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        for year in [1601, 1899, 1900, 1969, 1970, 1999, 2000, 2018, 2024, 2100, 2400, 9999] {
            for month in 1...12 {
                for day in [1, 15, 28, 29, 30, 31] {
                    let date = try #require(calendar.date(from: DateComponents(year: year, month: month, day: day)))
                    let expected = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
                    let iso = "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
                    #expect(VerificationPayload.dayNumber(iso) == expected, "\(iso)")
                }
            }
        }
        #expect(VerificationPayload.dayNumber("2018-06-05") == 17_687)
        #expect(VerificationPayload.isoDate(day: VerificationPayload.dayNumber("2024-02-29")) == "2024-02-29")
        #expect(VerificationPayload.dayNumber("not a date") == 0)
    }
}

/// Text strings written into a PDF's dictionaries: printable ASCII as an escaped literal,
/// anything else as UTF-16BE with its byte-order mark.
struct PDFTextStringTests {
    @Test(arguments: [
        ("American Society (ASCO)", "(American Society \\(ASCO\\))"),
        ("C:\\path", "(C:\\\\path)"),
        ("", "()"),
        ("é", "<FEFF00E9>"),
        ("line\nbreak", "<FEFF006C0069006E0065000A0062007200650061006B>"),
        ("心", "<FEFF5FC3>"),
        ("𝄞", "<FEFFD834DD1E>"),
    ] as [(String, String)])
    func aTextIsWrittenAsTheStandardSays(text: String, expected: String) {
        #expect(PDFText.string(text) == expected)
    }
}

/// A certificate signed again after issue: CreditPress's signature is judged with what was
/// added after it, not replaced by the last one.
struct LaterSignatureTests {
    static let folder = Fixture.root.appendingPathComponent("Tests/CreditPressTests/Fixtures/countersigned")
    static var pdf: [UInt8] { get throws { Array(try Data(contentsOf: folder.appendingPathComponent("certified-then-countersigned.pdf"))) } }
    static var roots: [Certificate] {
        get throws { [try Certificate(pemEncoded: String(contentsOf: folder.appendingPathComponent("ca.cert.pem"), encoding: .utf8))] }
    }

    static func verify(_ pdf: [UInt8]) async throws -> VerificationReport {
        await CertificateVerifier(roots: try roots, clock: FixedClock(Date(timeIntervalSince1970: 1_800_000_000))).verify(pdf: pdf)
    }

    @Test func aCountersignatureAllowedByTheCertificationKeepsItValid() async throws {
        let report = try await Self.verify(try Self.pdf)
        #expect(report.isValid, "\(report.allChecks.filter { !$0.passed })")
        let changes = try #require(report.allChecks.first { $0.name == "changes after signing" })
        #expect(changes.detail.contains("a signature by CN=Board Countersigner (intact); the certification allows it"), "\(changes.detail)")
        #expect(report.signature?.signer?.contains("Example CME Provider certificate signing") == true)
        #expect(report.signature?.laterSignatures == ["CN=Board Countersigner"])
    }

    @Test func anAlteredCountersignatureIsCaught() async throws {
        var pdf = try Self.pdf
        let signedLength = try #require(SignatureVerifier.firstSignatureDictionary(in: pdf)).byteRange.suffix(2).reduce(0, +)
        let rect = try #require(PDFIndex.firstRange(of: Array("/Rect [ 0 0 0 0 ]".utf8), in: pdf, from: signedLength, limit: pdf.count - signedLength))
        pdf[rect + 8] = UInt8(ascii: "1")
        let report = try await Self.verify(pdf)
        #expect(!report.isValid)
        let changes = try #require(report.allChecks.first { $0.name == "changes after signing" })
        #expect(changes.detail.contains("the later signature by CN=Board Countersigner does not match its bytes"), "\(changes.detail)")
    }

    /// A later revision that points the page at other content: not a signature, refused.
    @Test func aLaterRevisionThatRedrawsThePageIsRefused() async throws {
        let pdf = try Self.pdf
        let index = try PDFIndex(pdf)
        let page = try index.firstPage()
        let text = try index.object(page)
        let contents = try #require(PDFDictionary.reference("Contents", in: text))
        let redrawn = text.replacingOccurrences(of: "/Contents \(contents) 0 R", with: "/Contents \(index.size) 0 R")
        #expect(redrawn != text)
        let stream = "BT /F1 40 Tf 100 300 Td (83.75 credits) Tj ET"
        let addition = "\n\(page) 0 obj\n\(redrawn)\nendobj\n\(index.size) 0 obj\n<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream\nendobj\n"
        let pageAt = pdf.count + 1
        let streamAt = pageAt + "\(page) 0 obj\n\(redrawn)\nendobj\n".utf8.count
        let xrefAt = pdf.count + addition.utf8.count
        let tail = String(format: "xref\n%d 1\n%010d 00000 n \n%d 1\n%010d 00000 n \ntrailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n",
                          page, pageAt, index.size, streamAt, index.size + 1, index.root, index.info ?? 0, index.startXref, xrefAt)
        let report = try await Self.verify(pdf + Array(addition.utf8) + Array(tail.utf8))
        #expect(!report.isValid)
        let changes = try #require(report.allChecks.first { $0.name == "changes after signing" })
        #expect(changes.detail.contains("page object \(page) changed its /Contents"), "\(changes.detail)")
    }

    /// `/M (D\07220261201185913Z)`, as another tool escapes the colon, is the date it says.
    @Test func anEscapedSigningTimeIsDecoded() {
        let text = #"<< /Type /Sig /M (D\07220180605120000Z) >>"#
        let date = SignatureVerifier.pdfDate(PDFDictionary.string("M", in: text))
        #expect(date.map { ISO8601DateFormatter().string(from: $0) } == "2018-06-05T12:00:00Z")
    }
}

/// The version estimate that spares the sealing loop an encode per attempt is never above
/// libqrencode's own choice, and at most one below it (at a version's capacity), for every length.
@Test(arguments: [20, 35, 60])
func theQRVersionEstimateAgreesWithLibqrencode(addressLength: Int) throws {
    let head = "https://" + String(repeating: "c", count: addressLength - 14) + "/v#CP2:"
    for digits in stride(from: 10, through: 700, by: 3) {
        let text = head + String(repeating: "7", count: digits)
        let estimate = QRMatrix.estimatedVersion(bytes: head.utf8.count, digits: digits)
        if let made = try? QRMatrix.encode(text) {
            let estimated = try #require(estimate)
            #expect(estimated <= made.version && made.version <= estimated + 1,
                    "\(head.utf8.count) bytes and \(digits) digits: estimated \(estimated), made \(made.version)")
        } else {
            #expect(estimate == nil || estimate! >= QRMatrix.maximumVersion)
        }
    }
}

/// The mask chosen for a sealed payload gives, module for module, what libqrencode draws
/// with that mask itself; and of the eight, it is the one the standard's penalty ranks first.
@Test(arguments: [0, 1, 2, 3])
func aSealedCodesOwnMaskChoiceDrawsWhatLibqrencodeDrawsWithThatMask(seed: Int) throws {
    var generator = SeededDigits(seed: UInt64(seed + 1))
    let head = "https://cme.example.org/verify#CP2:"
    for length in [60, 250, 420, 500] {
        let digits = String((0..<length).map { _ in generator.next() })
        let made = try #require(QRMaskChoice.encode(head: head, digits: digits))
        let chosen = QRMatrix(version: made.version, size: made.size, rows: made.rows).modules
        #expect(QRMaskChoice.libraryModules(head: head, digits: digits, mask: made.mask) == chosen, "\(length) digits, mask \(made.mask)")
        let scores = (0..<8).map { mask in
            QRMaskChoice.penalty((QRMaskChoice.libraryModules(head: head, digits: digits, mask: mask) ?? []).map { $0 ? 1 : 0 }, size: made.size)
        }
        #expect(scores.min() == scores[made.mask])
        // The word-wise penalty the choice uses agrees with the module-by-module one.
        for mask in 0..<8 {
            let modules = try #require(QRMaskChoice.libraryModules(head: head, digits: digits, mask: mask))
            let size = made.size
            let rows = (0..<size).map { row in (0..<size).reduce(UInt128(0)) { $0 | (modules[row * size + $1] ? 1 << UInt128($1) : 0) } }
            let columns = (0..<size).map { column in (0..<size).reduce(UInt128(0)) { $0 | (modules[$1 * size + column] ? 1 << UInt128($1) : 0) } }
            #expect(QRMaskChoice.penalty(rows: rows, columns: columns, size: size) == scores[mask], "mask \(mask)")
        }
        let matrix = try QRMatrix.encodeSealed(head + digits)
        #expect(matrix.modules == chosen && matrix.version == made.version)
        // What a batch keeps of it: a bit a module, row by row, most significant first.
        let modules = matrix.modules
        let packed = (0..<((modules.count + 7) / 8)).map { byte in
            (0..<8).reduce(UInt8(0)) { bits, bit in
                let index = byte * 8 + bit
                return index < modules.count && modules[index] ? bits | 0x80 >> UInt8(bit) : bits
            }
        }
        #expect(matrix.packed == packed)
        #expect(QRMatrix(version: matrix.version, packed: packed)?.rows == matrix.rows)
    }
}

/// Digits from a fixed seed (SplitMix64), so that each run tests the same texts.
struct SeededDigits {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> Character {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Character(String((z ^ (z >> 31)) % 10))
    }
}
