import CPangoCairo
import CreditPDF
import CreditRecords
import CreditRender
import CreditTrust
import CSV
import Foundation
import ZIPFoundation

extension BatchRunner {
    /// `summary.csv`: rows issued and refused, certificates per kind, and per credit the
    /// number of certificates and the total, in the roster's separator, numbers as numbers.
    package func writeSummary() throws {
        let url = options.output.appendingPathComponent("summary.csv")
        let part = options.output.appendingPathComponent(".summary.csv.part")
        let csv = try CSVFile(url: part, delimiter: roster.delimiter, byteOrderMark: true)
        let comma = roster.delimiter == ";"
        func number(_ value: Double) -> String { ReportStream.number(value, decimalComma: comma) }
        try csv.write(row: ["what", "certificates", "total"])
        try csv.write(row: ["issued", "\(summary.accepted)", ""])
        try csv.write(row: ["refused rows", "\(summary.rejected)", ""])
        for (kind, count) in summary.kinds.sorted(by: { $0.key < $1.key }) { try csv.write(row: ["kind \(kind)", "\(count)", ""]) }
        var order: [String] = []
        for code in Self.creditCodes(activity) + summary.credits.keys.sorted() where summary.credits[code] != nil && !order.contains(code) {
            order.append(code)
        }
        for code in order {
            guard let (count, total) = summary.credits[code] else { continue }
            try csv.write(row: ["credit \(code)", "\(count)", number(total)])
        }
        summary.creditOrder = order
        try csv.close(durable: true)
        guard rename(part.path, url.path) == 0 else {
            throw RenderError(file: url.path, "cannot move the finished summary into place", .current(path: url.path))
        }
    }

    /// `certificates.zip`: every certificate of the run, under its id or (with
    /// `--file-names name`) the learner's name made safe, as the manifest lists them.
    package func writeZip() throws {
        let url = options.output.appendingPathComponent("certificates.zip")
        let part = options.output.appendingPathComponent(".certificates.zip.part")
        try? FileManager.default.removeItem(at: part)
        let archive: Archive
        do {
            archive = try Archive(url: part, accessMode: .create)
        } catch {
            throw RenderError(file: url.path, message: "cannot create the ZIP archive (\(error))")
        }
        var used: Set<String> = []
        for entry in try ManifestReader.entries(options.output.appendingPathComponent("manifest.json")) {
            var name = options.fileNames == .name ? SafeFileName.make(entry.name, id: entry.certificateID) : "\(entry.certificateID).pdf"
            if !used.insert(name.lowercased()).inserted { name = "\(entry.certificateID).pdf" }
            do {
                try archive.addEntry(with: name, fileURL: options.output.appendingPathComponent(entry.file), compressionMethod: .none)
            } catch {
                throw RenderError(file: url.path, message: "cannot add \(entry.file) to the ZIP archive (\(error))")
            }
        }
        guard rename(part.path, url.path) == 0 else {
            throw RenderError(file: url.path, "cannot move the finished archive into place", .current(path: url.path))
        }
    }
    /// The merged, print-ready PDF, in the chosen order, one outline entry per learner. A
    /// long one is drawn in parts by as many processes as the batch has (see
    /// `writeMergedInParts`); should that fail, it is drawn here.
    package func writeMerged() throws {
        let url = options.output.appendingPathComponent("merged.pdf")
        let metadata = PDFMetadata(title: "Certificates: \(activity.title)", author: activity.provider.name,
                                   subject: "\(summary.accepted) certificates, \(activity.id)",
                                   keywords: ["activity \(activity.id)"], creationDate: state.creationDate)
        let rows = try spool.sorted()
        if options.jobs > 1, let command = options.workerCommand, rows.count >= options.mergedPartsFrom {
            do {
                (summary.mergedPages, summary.mergedParts) = try writeMergedInParts(rows, to: url, metadata: metadata, command: command)
                spool.remove()
                return
            } catch {
                summary.mergedPartsFailure = Diagnostic.of(error).map(\.message).joined(separator: "; ")
            }
        }
        let writer = try MergedPDFWriter(url: url, metadata: metadata)
        let reader = try RosterReader(url: options.roster, displayName: options.roster.relativePath, encoding: options.encoding, mapping: options.mapping)
        for position in 0..<rows.count {
            guard let (learner, issue) = mergedPage(rows.row(position), reader: reader) else { continue }
            let certificate = try renderer.prepare(activity: activity, learner: learner, layoutName: options.layout,
                                                   creationDate: state.creationDate, issue: issue)
            try writer.add(certificate.page, outline: Self.outline(learner))
            // Give freed memory back now and then: Cairo's bookkeeping for the merged file grows
            // with every page, and what each page freed would otherwise sit between its blocks.
            if writer.pageCount % 2_000 == 0 { malloc_trim(0) }
        }
        try writer.finish()
        spool.remove()
        summary.mergedPages = writer.pageCount
    }

    /// A merged page's learner and what its certificate carries: its id and, when signed,
    /// the same QR code, never made anew: as the drawing reported it, or, for a certificate
    /// an earlier run finished, read back from its file. Nil for a row that no longer reads.
    private func mergedPage(_ spooled: RowSpool.Spooled?, reader: RosterReader) -> (Learner, IssueDetails)? {
        guard let spooled, case .success(let learner) = reader.learner(from: spooled.row) else { return nil }
        let id = spooled.id
        var issue = IssueDetails(certificateID: id, signing: nil,
                                 storedQR: options.signing == nil ? nil : spooled.qrText ?? Self.qrText(in: file(for: id)))
        if spooled.qrText != nil { issue.storedMatrix = spooled.qrModules }
        return (learner, issue)
    }

    private static func outline(_ learner: Learner) -> String {
        "\(learner.lastName), \(learner.firstName) (\(learner.id))"
    }

    /// Draws the merged PDF in parts of consecutive pages, `jobs` processes at a time, each
    /// part by a process of its own: this process reads the rows and hands them out in turn,
    /// and the parts are joined into one file with one outline. A part holds about
    /// `mergedPartPages` pages at most, so that joining never holds much of the file in memory.
    /// The number of pages and of parts; throws when a part fails, leaving no file behind.
    private func writeMergedInParts(_ rows: RowSpool.Sorted, to url: URL, metadata: PDFMetadata, command: [String]) throws -> (Int, Int) {
        let reader = try RosterReader(url: options.roster, displayName: options.roster.relativePath, encoding: options.encoding, mapping: options.mapping)
        let slots = max(1, min(options.jobs, rows.count))
        let partPages = max(1, options.mergedPartPages)
        // A whole number of rounds of `slots` parts, as even as they come, none empty.
        let count = min(rows.count, slots * max(1, (rows.count + slots * partPages - 1) / (slots * partPages)))
        let bounds = (0...count).map { $0 * rows.count / count }
        let setup = WorkerMessage.Setup(activity: options.activity.path, layout: options.layout, creationDate: ISODate.string(state.creationDate),
                                        resources: resources.root.path, cache: environment.cacheFolder?.path, signing: nil, certify: nil)
        // A part's process that dies closes its pipe: writing to it must fail, not kill us.
        signal(SIGPIPE, SIG_IGN)
        var parts: [Int: (process: Process, input: FileHandle, output: Pipe, file: URL)] = [:]
        defer {
            for part in parts.values {
                try? part.input.close()
                if part.process.isRunning { part.process.terminate() }
                part.process.waitUntilExit()
                unlink(part.file.path)
            }
        }
        func start(_ index: Int) throws {
            let file = AtomicFile.temporaryURL(for: url.deletingLastPathComponent().appendingPathComponent("merged.pdf.part\(index)"))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst()) + ["--merged-part"]
            let input = Pipe(), output = Pipe()
            (process.standardInput, process.standardOutput) = (input, output)
            try process.run()
            parts[index] = (process, input.fileHandleForWriting, output, file)
            let header = MergedPart.Header(path: file.path, title: metadata.title, author: metadata.author,
                                           subject: metadata.subject, keywords: metadata.keywords)
            try input.fileHandleForWriting.write(contentsOf: WorkerMessage.encode(setup) + WorkerMessage.encode(header))
        }
        // Slot k draws parts k, k + slots, …; a page to each slot in turn, so that all draw
        // at once (a pipe that is full waits for its process while the others have pages
        // queued). A finished part's process completes its file while the next one starts.
        var outlines = [[String]](repeating: [], count: count)
        var current = Array(0..<slots)
        var next = current.map { bounds[$0] }
        for index in current { try start(index) }
        var open = Set(0..<slots)
        while !open.isEmpty {
            for slot in open.sorted() {
                let part = current[slot]
                guard next[slot] < bounds[part + 1] else {
                    try parts[part]?.input.close()
                    if part + slots < count {
                        current[slot] = part + slots
                        next[slot] = bounds[part + slots]
                        try start(part + slots)
                    } else {
                        open.remove(slot)
                    }
                    continue
                }
                let spooled = rows.row(next[slot])
                next[slot] += 1
                guard let (learner, issue) = mergedPage(spooled, reader: reader) else { continue }
                let page = MergedPart.Page(learner: learner, id: issue.certificateID, qr: issue.storedQR,
                                           modules: spooled?.qrText == nil ? nil : spooled?.qrModulesText)
                try parts[part]?.input.write(contentsOf: WorkerMessage.encode(page))
                outlines[part].append(Self.outline(learner))
            }
        }
        for index in 0..<count {
            guard let part = parts[index] else { throw RenderError(file: url.path, message: "part \(index + 1) of the merged PDF was never started") }
            let line = LineReader(descriptor: part.output.fileHandleForReading.fileDescriptor).next()
            part.process.waitUntilExit()
            guard let line, let answer = try? JSONDecoder().decode(MergedPart.Answer.self, from: line),
                  answer.pages == outlines[index].count, part.process.terminationStatus == 0 else {
                let answer = line.flatMap { try? JSONDecoder().decode(MergedPart.Answer.self, from: $0) }
                throw RenderError(file: url.path, message: "part \(index + 1) of the merged PDF could not be drawn: "
                                  + (answer?.error ?? "its process stopped (status \(part.process.terminationStatus))"))
            }
        }
        let temporary = AtomicFile.temporaryURL(for: url)
        do {
            let pages = try PDFConcatenation.join((0..<count).compactMap { parts[$0]?.file }, outlines: outlines.flatMap { $0 }, into: temporary)
            try AtomicFile.sync(temporary, reportAs: url)
            guard rename(temporary.path, url.path) == 0 else {
                throw RenderError(file: url.path, "cannot move the finished file into place", .current(path: url.path))
            }
            return (pages, count)
        } catch {
            unlink(temporary.path)
            throw error
        }
    }

    /// The QR text a signed certificate's file carries in its document information.
    package static func qrText(in file: URL) -> String? {
        guard let data = FileManager.default.contents(atPath: file.path), let index = try? PDFIndex(Array(data)),
              let info = index.info, let text = try? index.object(info) else { return nil }
        return PDFDictionary.string(PDFSigner.payloadKey, in: text)
    }
}

/// `manifest.json`: the activity, the creation date and every certificate issued.
package struct ManifestDocument: Codable {
    package var activity: String
    package var creationDate: String
    package var certificates: [ManifestEntry]
}

/// The manifest's entries, read back (for the ZIP archive).
enum ManifestReader {
    struct Manifest: Decodable { let certificates: [ManifestEntry] }

    static func entries(_ url: URL) throws -> [ManifestEntry] {
        try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: url)).certificates
    }
}

/// A learner's name as a file name: "Whitfield, Sarah A. (RFQD4-HYEM0-4).pdf", without the
/// characters file systems or ZIP tools refuse, never empty, at most 120 characters.
package enum SafeFileName {
    package static func make(_ name: String, id: String) -> String {
        let forbidden = CharacterSet(charactersIn: "/\\:*?\"<>|").union(.controlCharacters).union(.newlines)
        var safe = String(String.UnicodeScalarView(name.unicodeScalars.map { forbidden.contains($0) ? " " : $0 }))
        safe = safe.replacing(/\s+/, with: " ").trimmingCharacters(in: CharacterSet(charactersIn: " ."))
        if safe.count > 100 { safe = String(safe.prefix(100)).trimmingCharacters(in: .whitespaces) }
        return safe.isEmpty ? "\(id).pdf" : "\(safe) (\(id)).pdf"
    }
}
