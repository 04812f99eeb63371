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
    /// The merged, print-ready PDF, in the chosen order, one outline entry per learner.
    /// Joined from parts (`writeJoined`) when the drawing processes added the pages as they
    /// drew, or when it is long; should that fail, drawn here in one go.
    package func writeMerged() throws {
        let url = options.output.appendingPathComponent("merged.pdf")
        let metadata = PDFMetadata(title: "Certificates: \(activity.title)", author: activity.provider.name,
                                   subject: "\(summary.accepted) certificates, \(activity.id)",
                                   keywords: ["activity \(activity.id)"], creationDate: state.creationDate)
        defer { discardDrawnParts() }
        let rows = try spool.sorted()
        if !drawnParts.isEmpty || (options.jobs > 1 && options.workerCommand != nil && rows.count >= options.mergedPartsFrom) {
            do {
                (summary.mergedPages, summary.mergedParts) = try writeJoined(rows, to: url, metadata: metadata)
                spool.remove()
                return
            } catch {
                summary.mergedPartsFailure = Diagnostic.of(error).map(\.message).joined(separator: "; ")
            }
        }
        let writer = try MergedPDFWriter(url: url, metadata: metadata)
        let reader = try RosterReader(url: options.roster, displayName: options.roster.relativePath, encoding: options.encoding, mapping: options.mapping)
        for position in 0..<rows.count {
            guard let spooled = rows.row(position), let (learner, issue) = mergedPage(spooled, reader: reader) else { continue }
            let certificate = try renderer.prepare(activity: activity, learner: learner, layoutName: options.layout,
                                                   creationDate: state.creationDate, issue: issue)
            try writer.add(certificate.page, outline: spooled.outline)
            // Give freed memory back now and then: Cairo's bookkeeping for the merged file grows
            // with every page, and what each page freed would otherwise sit between its blocks.
            if writer.pageCount % 2_000 == 0 { malloc_trim(0) }
        }
        try writer.finish()
        spool.remove()
        summary.mergedPages = writer.pageCount
    }

    /// Removes the parts of the merged PDF the drawing processes wrote, and any a process
    /// that died left behind.
    package func discardDrawnParts() {
        for part in drawnParts.keys where MergedPages.isPart(URL(fileURLWithPath: part).lastPathComponent) { unlink(part) }
        drawnParts = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: options.output.path)) ?? [] where MergedPages.isPart(name) {
            unlink(options.output.appendingPathComponent(name).path)
        }
    }

    /// The merged PDF joined from parts, in the spool's order: the pages the drawing
    /// processes added as they drew the certificates, and the others (certificates an
    /// earlier run finished, pages a process could not add) drawn now, by as many processes
    /// as the batch has when there are many of them (`writeMergedInParts`), else here. The
    /// number of pages and of parts; throws when a part fails, leaving no file behind.
    private func writeJoined(_ rows: RowSpool.Sorted, to url: URL, metadata: PDFMetadata) throws -> (Int, Int) {
        var parts: [URL] = []
        var partNumbers: [String: Int] = [:]
        // Each position's page, when a drawing process added it, and its outline entry.
        var pages: [PDFConcatenation.Page?] = []
        var outlines: [String] = []
        var missing: [Int] = []
        for position in 0..<rows.count {
            guard let spooled = rows.row(position) else {
                pages.append(nil)
                outlines.append("")
                continue
            }
            outlines.append(spooled.outline)
            if let place = spooled.page, let count = drawnParts[place.part], place.index < count {
                let number = partNumbers[place.part] ?? parts.count
                if number == parts.count {
                    partNumbers[place.part] = number
                    parts.append(URL(fileURLWithPath: place.part))
                }
                pages.append(PDFConcatenation.Page(part: number, page: place.index))
            } else {
                pages.append(nil)
                missing.append(position)
            }
        }
        summary.mergedAlongside = pages.count { $0 != nil }
        var made: [URL] = []
        defer { for file in made { unlink(file.path) } }
        if !missing.isEmpty {
            let drawn: (files: [URL], pages: [Int: PDFConcatenation.Page])
            if options.jobs > 1, let command = options.workerCommand, missing.count >= options.mergedPartsFrom {
                drawn = try writeMergedInParts(rows, positions: missing, to: url, command: command, made: &made)
            } else {
                drawn = try writeMergedHere(rows, positions: missing, to: url, made: &made)
            }
            for (position, page) in drawn.pages {
                pages[position] = PDFConcatenation.Page(part: parts.count + page.part, page: page.page)
            }
            parts += drawn.files
        }
        let chosen = zip(pages, outlines).compactMap { page, outline in page.map { ($0, outline) } }
        let information: [(key: String, text: String)] = [
            ("Title", metadata.title), ("Author", metadata.author), ("Subject", metadata.subject),
            ("Keywords", metadata.keywords.joined(separator: ", ")), ("Creator", metadata.creator),
        ].filter { !$0.text.isEmpty }
        let temporary = AtomicFile.temporaryURL(for: url)
        do {
            let count = try PDFConcatenation.join(parts, pages: chosen.map(\.0), outlines: chosen.map(\.1),
                                                  information: information, into: temporary)
            try AtomicFile.sync(temporary, reportAs: url)
            guard rename(temporary.path, url.path) == 0 else {
                throw RenderError(file: url.path, "cannot move the finished file into place", .current(path: url.path))
            }
            return (count, Set(chosen.map(\.0.part)).count)
        } catch {
            unlink(temporary.path)
            throw error
        }
    }

    /// A merged page's learner and what its certificate carries: its id and, when signed,
    /// the same QR code, never made anew: as the drawing reported it, or, for a certificate
    /// an earlier run finished, read back from its file. Nil for a row that no longer reads.
    private func mergedPage(_ spooled: RowSpool.Spooled, reader: RosterReader) -> (Learner, IssueDetails)? {
        guard case .success(let learner) = reader.learner(from: spooled.row) else { return nil }
        let id = spooled.id
        var issue = IssueDetails(certificateID: id, signing: nil,
                                 storedQR: options.signing == nil ? nil : spooled.qrText ?? Self.qrText(in: file(for: id)))
        if spooled.qrText != nil { issue.storedMatrix = spooled.qrModules }
        return (learner, issue)
    }

    /// Draws the pages at `positions` here, into one part; the part's file and where each
    /// page drawn went (a row that no longer reads has none).
    private func writeMergedHere(_ rows: RowSpool.Sorted, positions: [Int], to url: URL,
                                 made: inout [URL]) throws -> (files: [URL], pages: [Int: PDFConcatenation.Page]) {
        let file = AtomicFile.temporaryURL(for: url.deletingLastPathComponent().appendingPathComponent("merged.pdf.here"))
        made.append(file)
        let reader = try RosterReader(url: options.roster, displayName: options.roster.relativePath, encoding: options.encoding, mapping: options.mapping)
        let writer = try MergedPDFWriter(url: file, metadata: PDFMetadata(title: "", author: "", subject: "", keywords: [],
                                                                         creationDate: state.creationDate))
        var pages: [Int: PDFConcatenation.Page] = [:]
        for position in positions {
            guard let spooled = rows.row(position), let (learner, issue) = mergedPage(spooled, reader: reader) else { continue }
            let certificate = try renderer.prepare(activity: activity, learner: learner, layoutName: options.layout,
                                                   creationDate: state.creationDate, issue: issue)
            try writer.add(certificate.page, outline: nil)
            pages[position] = PDFConcatenation.Page(part: 0, page: writer.pageCount - 1)
            if writer.pageCount % 2_000 == 0 { malloc_trim(0) }
        }
        try writer.finish(durable: false)
        return ([file], pages)
    }

    /// Draws the pages at `positions` in parts of consecutive pages, `jobs` processes at a
    /// time, each part by a process of its own: this process reads the rows and hands them
    /// out in turn. A part holds about `mergedPartPages` pages at most, so that joining never
    /// holds much of the file in memory. The parts' files and where each page drawn went;
    /// throws when a part fails. Every file started is in `made`, for the caller to remove.
    private func writeMergedInParts(_ rows: RowSpool.Sorted, positions: [Int], to url: URL, command: [String],
                                    made: inout [URL]) throws -> (files: [URL], pages: [Int: PDFConcatenation.Page]) {
        let reader = try RosterReader(url: options.roster, displayName: options.roster.relativePath, encoding: options.encoding, mapping: options.mapping)
        let slots = max(1, min(options.jobs, positions.count))
        let partPages = max(1, options.mergedPartPages)
        // A whole number of rounds of `slots` parts, as even as they come, none empty.
        let count = min(positions.count, slots * max(1, (positions.count + slots * partPages - 1) / (slots * partPages)))
        let bounds = (0...count).map { $0 * positions.count / count }
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
            }
        }
        func start(_ index: Int) throws {
            let file = AtomicFile.temporaryURL(for: url.deletingLastPathComponent().appendingPathComponent("merged.pdf.part\(index)"))
            made.append(file)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst()) + ["--merged-part"]
            let input = Pipe(), output = Pipe()
            (process.standardInput, process.standardOutput) = (input, output)
            try process.run()
            parts[index] = (process, input.fileHandleForWriting, output, file)
            let header = MergedPart.Header(path: file.path, title: "", author: "", subject: "", keywords: [])
            try input.fileHandleForWriting.write(contentsOf: WorkerMessage.encode(setup) + WorkerMessage.encode(header))
        }
        // Slot k draws parts k, k + slots, …; a page to each slot in turn, so that all draw
        // at once (a pipe that is full waits for its process while the others have pages
        // queued). A finished part's process completes its file while the next one starts.
        var drawn = [[Int]](repeating: [], count: count)
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
                let position = positions[next[slot]]
                next[slot] += 1
                guard let spooled = rows.row(position), let (learner, issue) = mergedPage(spooled, reader: reader) else { continue }
                let page = MergedPart.Page(learner: learner, id: issue.certificateID, qr: issue.storedQR,
                                           modules: spooled.qrText == nil ? nil : spooled.qrModulesText)
                try parts[part]?.input.write(contentsOf: WorkerMessage.encode(page))
                drawn[part].append(position)
            }
        }
        var pages: [Int: PDFConcatenation.Page] = [:]
        for index in 0..<count {
            guard let part = parts[index] else { throw RenderError(file: url.path, message: "part \(index + 1) of the merged PDF was never started") }
            let line = LineReader(descriptor: part.output.fileHandleForReading.fileDescriptor).next()
            part.process.waitUntilExit()
            guard let line, let answer = try? JSONDecoder().decode(MergedPart.Answer.self, from: line),
                  answer.pages == drawn[index].count, part.process.terminationStatus == 0 else {
                let answer = line.flatMap { try? JSONDecoder().decode(MergedPart.Answer.self, from: $0) }
                throw RenderError(file: url.path, message: "part \(index + 1) of the merged PDF could not be drawn: "
                                  + (answer?.error ?? "its process stopped (status \(part.process.terminationStatus))"))
            }
            for (page, position) in drawn[index].enumerated() { pages[position] = PDFConcatenation.Page(part: index, page: page) }
        }
        return ((0..<count).compactMap { parts[$0]?.file }, pages)
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
