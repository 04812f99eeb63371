import CPangoCairo
import CreditLayout
import CreditPDF
import CreditRecords
import CreditRegistry
import CreditRender
import CreditStatements
import CreditTrust
import Foundation

/// A certificate laid out and ready to write: the page, its metadata and what it was made from.
public struct PreparedCertificate {
    public let request: CertificateRequest
    public let layout: LayoutSpec
    public let page: PageFrame
    public let metadata: PDFMetadata
    public let statementVersions: [String: Int]
    /// The certificate id and, when signed, what the QR code carries.
    public let certificateID: String?
    public let qrText: String?
    public let payload: VerificationPayload?
}

/// A certificate's finished PDF and, when signed, what reproduces its signature.
public struct FinishedPDF: Sendable {
    public let bytes: [UInt8]
    public var signature: StoredSignature?

    public init(bytes: [UInt8], signature: StoredSignature? = nil) {
        self.bytes = bytes
        self.signature = signature
    }
}

/// An issued signature: the CMS, the room `/Contents` had for it, and its `/M`.
public struct StoredSignature: Sendable {
    public var cms: [UInt8]
    public var room: Int
    public var signedAt: Date
    public var certified: Bool

    public init(cms: [UInt8], room: Int, signedAt: Date, certified: Bool) {
        self.cms = cms
        self.room = room
        self.signedAt = signedAt
        self.certified = certified
    }
}

/// What makes a certificate an issued one: its id and, to prove it, the provider's signing
/// identity (which also seals the QR code's payload).
public struct IssueDetails: Sendable {
    public var certificateID: String
    public var signing: SigningIdentity?
    /// The QR text recorded at issue, to reproduce the issued file (ES256 signatures differ each time).
    public var storedQR: String?

    public init(certificateID: String, signing: SigningIdentity?, storedQR: String? = nil) {
        self.certificateID = certificateID
        self.signing = signing
        self.storedQR = storedQR
    }
}

/// The whole pipeline for one learner: checked records → statements → layout → PDF.
///
/// Holds Pango objects, so one renderer belongs to one thread. Renderers on several
/// threads take turns (see `FontAccess`); a batch draws in several processes instead.
public final class CertificateRenderer {
    public let environment: CreditEnvironment
    public var resources: Resources { environment.resources }
    public let fonts: FontLibrary
    public let boards: BoardCatalog
    /// Layouts read, by name, with the bytes of the files each was read from.
    private var layouts: [String: (spec: LayoutSpec, sources: [Data])] = [:]
    private var statements = StatementCache()
    package let preparedDrawings: PreparedDrawings
    private let images: ImageCache
    private var catalogLoad: BackgroundLoad<StatementCatalog>
    private let engineLoad: BackgroundLoad<EngineBox>
    private var madeLayouter: Layouter?
    /// Guards the caches above: threads take turns preparing certificates, and the font
    /// lock is taken only to set text.
    private let state = NSRecursiveLock()

    /// The prescribed statements. They are read on a thread of their own while the caller
    /// reads its inputs (a tenth of one certificate's start-up); an error in them is thrown
    /// here, on first use.
    public var catalog: StatementCatalog {
        get throws { try state.withLock { catalogLoad }.value() }
    }

    /// Lays out pages. Its Pango font map is made on a thread of its own, which then loads
    /// the fonts recent certificates were set in (`RecentFonts`) while the caller reads its
    /// inputs, until the caller first sets text. A font map that cannot be made is
    /// reported here.
    public var layouter: Layouter {
        get throws {
            state.lock()
            defer { state.unlock() }
            if let madeLayouter { return madeLayouter }
            let layouter = Layouter(engine: try engineLoad.value().engine, images: images)
            madeLayouter = layouter
            return layouter
        }
    }

    /// A renderer for `environment`, with `fonts` when they are loaded already (a batch's
    /// drawing threads share them). Prepared drawings are kept in the environment's cache.
    public convenience init(environment: CreditEnvironment, fonts: FontLibrary? = nil) throws {
        try self.init(environment: environment, fonts: fonts, drawingCache: environment.drawingCacheFolder)
    }

    /// `drawingCache` keeps prepared drawings between runs (nil: drawn in every process).
    public init(environment: CreditEnvironment, fonts: FontLibrary?, drawingCache: URL?) throws {
        self.environment = environment
        let resources = environment.resources
        preparedDrawings = PreparedDrawings(disk: drawingCache.map(DrawingCache.init), fonts: resources.fonts)
        images = ImageCache(sizes: drawingCache.map(ArtworkSizes.init))
        if drawingCache != nil { _ = DrawingCache.startupFiles }
        let directory = resources.statements
        catalogLoad = BackgroundLoad { try StatementCatalog(directory: directory) }
        let fonts = try fonts ?? FontLibrary(environment: environment)
        self.fonts = fonts
        engineLoad = BackgroundLoad({ EngineBox(engine: try TextEngine(fonts: fonts)) },
                                    then: { box in
                                        creditpress_lower_thread_priority()
                                        box.engine.warmUp(RecentFonts.read(for: fonts))
                                    })
        self.boards = try BoardCatalog(file: resources.boards)
    }

    /// Reads an activity file, knowing the configured certifying boards, and starts
    /// loading its artwork (logo, signature) on threads of their own.
    public func readActivity(_ url: URL, displayName: String? = nil) throws(InputError) -> Activity {
        let activity = try ActivityReader.read(url, displayName: displayName, boards: boards)
        prepareFor(activity)
        return activity
    }

    /// Reads an activity from its bytes (an upload, say); artwork paths are relative to `directory`.
    public func readActivity(_ data: Data, displayName: String, directory: URL) throws(InputError) -> Activity {
        let activity = try ActivityReader.read(data, displayName: displayName, directory: directory, boards: boards)
        prepareFor(activity)
        return activity
    }

    /// Starts loading the activity's artwork, first forgetting artwork and statement
    /// templates whose files have changed since they were read (in a long-running process).
    private func prepareFor(_ activity: Activity) {
        let artwork = [activity.logo, activity.signatory?.signatureImage].compactMap { $0 }
        images.forgetChanged(artwork)
        images.preload(artwork)
        refreshCatalogIfChanged()
    }

    /// Reads the statement templates again when their files changed since the catalog in
    /// use was read; filled statements made from the old ones are dropped with it.
    private func refreshCatalogIfChanged() {
        state.withLock {
            guard catalogLoad.isFinished, let loaded = try? catalogLoad.value(),
                  StatementCatalog.fingerprint(of: loaded.directory) != loaded.fingerprint else { return }
            let directory = loaded.directory
            catalogLoad = BackgroundLoad { try StatementCatalog(directory: directory) }
            statements = StatementCache()
        }
    }

    /// A layout by name (`physician-cme`) from `Templates/certificates/`, or by path.
    /// A layout read before is used again only while its files still hold the same bytes, so
    /// a long-running process never prints with an outdated layout.
    public func layout(named name: String) throws -> LayoutSpec {
        if let cached = layouts[name],
           cached.sources == cached.spec.sourceFiles.map({ (try? Data(contentsOf: $0)) ?? Data() }) {
            return cached.spec
        }
        let url = name.hasSuffix(".yaml") || name.contains("/")
            ? URL(fileURLWithPath: name)
            : resources.certificateLayouts.appendingPathComponent("\(name).yaml")
        guard FileManager.default.fileExists(atPath: url.path) else {
            let known = (try? FileManager.default.contentsOfDirectory(atPath: resources.certificateLayouts.path)) ?? []
            throw LayoutError(file: url.path, block: nil, message: "there is no such layout; available: \(known.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted().joined(separator: ", "))")
        }
        let spec = try LayoutSpec.read(url, fonts: fonts)
        layouts[name] = (spec, spec.sourceFiles.map { (try? Data(contentsOf: $0)) ?? Data() })
        return spec
    }

    /// Checks the claim, fills the statements and lays out the page. `creationDate` is the
    /// moment of issue: the claim time for learners whose record gives none.
    public func prepare(activity: Activity, learner: Learner, layoutName: String? = nil,
                        creationDate: Date, issue: IssueDetails? = nil) throws -> PreparedCertificate {
        state.lock()
        defer { state.unlock() }
        return try prepareSerialized(activity: activity, learner: learner, layoutName: layoutName, creationDate: creationDate, issue: issue)
    }

    /// Remembers the fonts this renderer has set text in, for the next process to load
    /// while it reads its inputs (see `RecentFonts`).
    public func rememberFontsUsed() {
        guard let madeLayouter = state.withLock({ madeLayouter }) else { return }
        RecentFonts.remember(FontAccess.serialized { madeLayouter.engine.fontsUsed }, for: fonts)
    }

    private func prepareSerialized(activity: Activity, learner: Learner, layoutName: String?,
                                   creationDate: Date, issue: IssueDetails?) throws -> PreparedCertificate {
        let request = try CertificateRequest.check(activity: activity, learner: learner, claimTime: creationDate)
        try checkCoverage(learner)
        let spec = try layout(named: layoutName ?? request.kind.defaultLayout)
        if let kind = spec.kind, kind != request.kind {
            throw LayoutError(file: spec.file, block: nil,
                              message: "is a \(kind.rawValue) layout, but this learner's certificate is \(request.kind.rawValue); choose a \(request.kind.rawValue) layout",
                              learnerID: learner.id)
        }
        var content = try CertificateContent.build(for: request, catalog: catalog, cache: statements)
        var qr: (text: String, matrix: QRMatrix, payload: VerificationPayload)?
        if let issue {
            var certificateValues = content.values["certificate"] as? [String: Any] ?? [:]
            certificateValues["id"] = issue.certificateID
            content.values["certificate"] = certificateValues
            if let stored = issue.storedQR, spec.qr != nil {
                qr = (stored, try QRMatrix.encode(stored), payload(request, id: issue.certificateID, issued: creationDate))
            } else if let signing = issue.signing, spec.qr != nil {
                do {
                    qr = try payload(request, id: issue.certificateID, issued: creationDate)
                        .sealed(identity: signing, verificationURL: activity.provider.verificationURL, encode: QRMatrix.encode)
                } catch let error as QRError {
                    throw LayoutError(file: spec.file, block: "qr", message: "\(error); shorten the name as printed", learnerID: learner.id)
                }
            }
        }
        var images: [String: URL] = [:]
        images["logo"] = activity.logo
        images["signature"] = activity.signatory?.signatureImage
        let page: PageFrame
        let layouter = try self.layouter
        do throws(LayoutError) {
            page = try layouter.layout(spec, values: content.values, imageSources: images, qr: qr?.matrix)
        } catch {
            var error = error
            error.learnerID = learner.id
            throw error
        }
        return PreparedCertificate(request: request, layout: spec, page: page,
                                   metadata: metadata(request, spec: spec, content: content, date: creationDate, id: issue?.certificateID),
                                   statementVersions: content.statementVersions,
                                   certificateID: issue?.certificateID, qrText: qr?.text, payload: qr?.payload)
    }

    /// The facts the QR code carries, as printed.
    private func payload(_ request: CertificateRequest, id: String, issued: Date) -> VerificationPayload {
        VerificationPayload(
            certificateID: id, issuer: request.activity.provider.name, learnerName: request.learner.professionalName,
            activityID: request.activity.id, activityTitle: request.activity.title,
            credits: request.learner.claims.map { .init(type: $0.code, amount: "\($0.amount)") },
            completionDate: request.learner.completionDate.description,
            issueDate: ISODate.string(issued).prefix(10).description)
    }

    /// Writes a prepared certificate as a PDF, atomically: signed when `signing` is given,
    /// with its language and figures' alternative text either way.
    public func writePDF(_ certificate: PreparedCertificate, to url: URL, signing: SigningIdentity? = nil,
                         certify: Bool = false) throws {
        let finished = try finishedPDF(certificate, signing: signing, certify: certify)
        try AtomicFile.write(Data(finished.bytes), to: url, durable: true)
    }

    /// The certificate's final PDF. `stored`, when given, is the signature recorded at issue,
    /// which reproduces the issued file exactly.
    ///
    /// The signing time (`/M`) is now, not the certificate's issue date: a reader checks the
    /// signing certificate's validity at that time.
    public func finishedPDF(_ certificate: PreparedCertificate, signing: SigningIdentity?,
                            stored: StoredSignature? = nil, certify: Bool = false) throws -> FinishedPDF {
        do {
            return try finishedPDF(certificate, preparedForms: true, signing: signing, stored: stored, certify: certify)
        } catch is FormPlacementError {
            // Cairo's file was not as the placement expects: draw everything in place instead.
            return try finishedPDF(certificate, preparedForms: false, signing: signing, stored: stored, certify: certify)
        }
    }

    /// The final PDF, with images and activity-wide paragraphs copied in as prepared forms,
    /// or, without `preparedForms`, all drawn by Cairo in place.
    package func finishedPDF(_ certificate: PreparedCertificate, preparedForms: Bool, signing: SigningIdentity?,
                     stored: StoredSignature?, certify: Bool) throws -> FinishedPDF {
        // The forms first: a page whose drawings could not be prepared before is not drawn twice.
        let forms = preparedForms ? try self.forms(for: certificate.page) : []
        let drawn = try PDFWriter.data([certificate.page], metadata: certificate.metadata, omittingPrepared: preparedForms)
        let accessibility = PDFAccessibility(figureAlternatives: certificate.page.figureAlternatives)
        let info = certificate.qrText.map { [PDFSigner.payloadKey: $0] } ?? [:]
        guard signing != nil || stored != nil else {
            return FinishedPDF(bytes: try PDFSigner.finish(Array(drawn), forms: forms, accessibility: accessibility,
                                                           info: info, signing: nil))
        }
        let time = stored?.signedAt ?? environment.clock.now()
        var options = PDFSignatureOptions(time: time, certify: stored?.certified ?? certify,
                                          reason: "Issued by \(certificate.request.activity.provider.name)")
        options.capacity = stored?.room ?? PDFSignatureOptions.defaultCapacity(timestamped: signing?.timestampURL != nil)
        var made: [UInt8] = []
        let bytes = try PDFSigner.finish(Array(drawn), forms: forms, accessibility: accessibility, info: info,
                                         signing: (options, { digest in
            if let stored { return stored.cms }
            guard let signing else { throw PDFStructureError("no signing identity") }
            made = try CMSSignature.sign(digest: digest, identity: signing)
            return made
        }))
        return FinishedPDF(bytes: bytes, signature: StoredSignature(cms: stored?.cms ?? made, room: options.capacity,
                                                                   signedAt: time, certified: options.certify))
    }

    /// The prepared forms for what `page`, drawn omitting them, leaves out, and where
    /// each goes.
    package func forms(for page: PageFrame) throws(FormPlacementError) -> [PreparedForm.Placement] {
        let items = page.preparedItems
        let forms = try preparedDrawings.forms(for: items)
        return zip(forms, items).map { PreparedForm.Placement(form: $0, matrix: $1.matrix) }
    }

    /// Refuses a learner whose printed name has characters no bundled font can draw.
    private func checkCoverage(_ learner: Learner) throws(InputError) {
        let missing = fonts.missingCharacters(in: learner.professionalName)
        guard !missing.isEmpty else { return }
        throw InputError([Problem(
            file: learner.sourceFile, field: "name.professional", learnerID: learner.id,
            message: "the name has characters no bundled font can draw: \(FontLibrary.describe(missing))",
            hint: "check the name for stray symbols, or add a font that covers them to Fonts/")])
    }

    private func metadata(_ request: CertificateRequest, spec: LayoutSpec, content: CertificateContent,
                          date: Date, id: String?) -> PDFMetadata {
        let claim = request.mainClaim
        let kind = request.kind.title
        let versions = content.statementVersions.sorted { $0.key < $1.key }.map { "\($0.key) v\($0.value)" }
        return PDFMetadata(
            title: "\(kind): \(request.activity.title) — \(request.learner.professionalName)",
            author: request.activity.provider.name,
            subject: "\(kind), \(claim.amount) \(claim.type.unit(for: claim.amount)) (\(claim.type.displayName)), completed \(request.learner.completionDate)",
            keywords: (id.map { ["certificate \($0)"] } ?? []) + ["activity \(request.activity.id)", "learner \(request.learner.id)", "layout \(spec.name) v\(spec.version)"] + versions,
            creationDate: date)
    }
}

extension CertificateRenderer {
    /// Draws and finishes the certificate of `learner` under `id`: the one drawing step of
    /// every issuing path (single, batch, reissue, the service). With `stored`, the issued
    /// file is reproduced from the registry's record (its date, QR text and signature).
    package func draw(activity: Activity, learner: Learner, layoutName: String?, creationDate: Date, id: String,
                      stored: IssuedRecord?, signing: SigningIdentity?, certify: Bool) throws -> (PreparedCertificate, DrawnCertificate) {
        let certificate = try prepare(activity: activity, learner: learner, layoutName: layoutName,
                                      creationDate: stored?.issuedAt ?? creationDate,
                                      issue: IssueDetails(certificateID: id, signing: signing, storedQR: stored?.qrText))
        let storedSignature = stored?.storedSignature
        // A reproduction signs with the recorded signature or not at all, as it was issued.
        let finished = try finishedPDF(certificate, signing: stored == nil ? signing : nil, stored: storedSignature, certify: certify)
        let material = IssueMaterial(
            qr: certificate.qrText, signature: finished.signature.map { Data($0.cms).base64EncodedString() },
            signatureRoom: finished.signature?.room, signedAt: finished.signature?.signedAt,
            certified: finished.signature?.certified ?? false,
            layoutName: certificate.layout.name, layoutVersion: certificate.layout.version,
            statementVersions: CertificateIssuer.json(certificate.statementVersions))
        return (certificate, DrawnCertificate(bytes: finished.bytes, sha256: Hex.sha256(finished.bytes), material: material))
    }
}

/// A text engine handed from the thread that made it to the renderer's; Pango objects have
/// no thread of their own, and the renderer's uses of them take the font lock.
private final class EngineBox: @unchecked Sendable {
    package let engine: TextEngine
    package init(engine: TextEngine) { self.engine = engine }
}
