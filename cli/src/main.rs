//! `report-helper`: the report helper's hashing on the command line.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use report_helper::pdq::PdqSize;

use report_helper_cli::hash::{hash_file, json_line, Options};
use report_helper_cli::{matching, platforms, reports, serve, verify};

#[derive(Parser)]
#[command(
    name = "report-helper",
    version,
    about = "Hashes evidence files on this computer; nothing is sent anywhere."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Prints the digests, the PDQ hash and with --vpdq the vPDQ hash of each FILE as one JSON
    /// line.
    #[command(long_about = HASH_ABOUT)]
    Hash(HashArgs),
    /// Serves the built site and the reference intake API (reports stored in SQLite).
    #[command(long_about = SERVE_ABOUT)]
    Serve(ServeArgs),
    /// The operator's side of the intake: list, show and set the status of stored reports.
    #[command(subcommand)]
    Reports(reports::ReportsCommand),
    /// The platforms that may read the list of shared fingerprints: add (prints its key once),
    /// list, revoke.
    #[command(subcommand)]
    Platforms(platforms::PlatformsCommand),
    /// The list of shared fingerprints: export it as a file.
    #[command(subcommand)]
    Fingerprints(platforms::FingerprintsCommand),
    /// Says which items of a receipt (or evidence ZIP) each FILE is, by its digests.
    #[command(long_about = VERIFY_ABOUT)]
    Verify(VerifyArgs),
    /// Matches files and folders against a platforms' hash list (a file, or the intake's list).
    #[command(long_about = MATCH_ABOUT)]
    Match(MatchArgs),
}

const MATCH_ABOUT: &str = "\
Matches files and folders against a platforms' hash list; one JSON line per file.

LIST is a file of the list's JSON lines (as `report-helper fingerprints export` writes), or the
http(s) URL of an intake's list endpoint (https://HOST/api/platform/fingerprints), read page by
page with the key in the environment variable REPORT_HELPER_PLATFORM_KEY (never on the command
line, where every user of the machine can see it). Adds and removes are replayed in order; a
line that is not a list line (bad JSON, an unknown op or signal, a bad hex or base64 value, seq
not going up) stops the command with its number.

Each PATH is a file, or a folder whose files are all read, in its subfolders too (links to
folders inside are not followed). Every file is hashed as `report-helper hash` does: SHA-256 and
MD5 of every byte, whatever the size; PDQ of a JPEG, PNG, WebP, GIF or BMP, of the picture as
displayed and, when it has an EXIF orientation, of the pixels as stored; and, when the list has
videos, vPDQ of any other file FFmpeg reads as a video.

A file matches an entry when:
  sha256, md5  the digest is the same;
  pdq          one of the file's PDQ hashes (quality 50 or more) is within --pdq-threshold bits
               of the entry's displayed or stored hash (the closest pair is shown);
  vpdq         by the reference's rule: at least 80 % of the file's frames (quality 50 or more,
               duplicates dropped) are within 31 bits of some frame of the listed video.

Output, one line per file, in the order walked (a folder's files by name):
  {\"path\": PATH, \"matches\": [
     {\"id\": seq of the entry's add, \"signal\": \"sha256\" | \"md5\"},
     {\"id\": ..., \"signal\": \"pdq\", \"distance\": bits, \"file\": \"displayed\" | \"stored\",
      \"listed\": \"displayed\" | \"stored\"},
     {\"id\": ..., \"signal\": \"vpdq\", \"file_percent\": 0-100, \"listed_percent\": 0-100}],
   \"note\": why the photo's PDQ hash was not compared (only then),
   \"error\": null or why the file could not be read}
Matches come by id. A summary goes to stderr.

Exit status, as grep's: 0 when some file matched, 1 when none did, 2 on an error: a list that
cannot be read or has a bad line (nothing is matched then), or a file or folder that could not
be read (every other line is still printed).";

#[derive(clap::Args)]
struct MatchArgs {
    /// The list: a file of JSON lines, or the http(s) URL of the intake's list endpoint.
    #[arg(long, value_name = "FILE_OR_URL")]
    list: String,
    /// Most bits a file's PDQ hash may differ from a listed one by and match (Meta's: 31).
    #[arg(long, value_name = "BITS", default_value_t = 31, value_parser = clap::value_parser!(u32).range(0..=256))]
    pdq_threshold: u32,
    /// Files and folders to match.
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,
}

const VERIFY_ABOUT: &str = "\
Says which items of a receipt each FILE is, by its digests; nothing is sent anywhere.

RECEIPT is the receipt the page saves after sending (JSON, \"receipt\": \"report-helper/receipt@1\",
at most 16 MiB). Each FILE is read in chunks, whatever its size, and its SHA-256, MD5 and SHA-1
are compared with every place of the receipt that lists digests:
  report.items[i]          an item of the report as sent (sha256, md5, and sha1 if listed)
  evidence[j]              a screenshot as saved, after redaction (sha256)
  evidence[j].original     that screenshot before redaction (sha256 and md5)
A place matches when every digest it lists equals the file's. When some agree and others differ,
the file or the receipt was altered (or a digest collides): that is a conflict, never a match.

RECEIPT may also be the evidence ZIP the page makes (evidence-RH-....zip, stored entries): its
receipt.json is read, and each screenshot it lists is checked first, as a line named
ZIP:evidence-N.png, which must match that screenshot's evidence[j] (a screenshot missing from
the ZIP, or another file under its name, has an error). A ZIP with more entries than
receipt.json, receipt.html and those screenshots, a name twice, entries that overlap or run past
its data, or a bad CRC-32 on receipt.json is refused whole. FILEs are then optional.

Output, one line per file, in that order:
  {\"file\": FILE, \"size\": bytes, \"sha256\": hex, \"md5\": hex, \"sha1\": hex,
   \"matches\": [{\"in\": \"report.items[0]\", \"kind\": \"image\"},
               {\"in\": \"evidence[0]\", \"file\": \"evidence-1.png\"}, ...],
   \"conflicts\": [{\"in\": PLACE, \"kind\" or \"file\": ..., \"agree\": [\"sha256\"], \"differ\": [\"md5\"]}],
   \"error\": null or why the file could not be read or is not what the ZIP names it}
A file that cannot be read has size and digests null, no matches and an error. A summary goes
to stderr: \"report-helper: 2 of 3 files match the receipt RH-...\".

Exit status: 0 when every file matches some place and none conflicts, 1 when some file matches
nothing, conflicts or cannot be read (every line is still printed), 2 for bad usage or a
RECEIPT that cannot be read or is not a receipt.";

#[derive(clap::Args)]
struct VerifyArgs {
    /// The receipt (receipt-RH-....json) or the evidence package (evidence-RH-....zip).
    #[arg(value_name = "RECEIPT")]
    receipt: PathBuf,
    /// Files to look for in the receipt (needed unless RECEIPT is an evidence ZIP).
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
}

const SERVE_ABOUT: &str = "\
Serves the built site and the reference intake API; reports are stored in SQLite.

  POST   /api/reports              a report (Content-Type: application/json, at most 64 KiB
                                   besides its videos' frame hashes, 514 KiB in all),
                                   checked by the same core as the page: 201 {reference, token,
                                   status}; the same idempotency_key and report again: 200, the
                                   same reference and no new token; refused: 400/409/413/415/422
                                   {error, field, problem}; too many from one address: 429;
                                   a body slower than --client-timeout: 408
  GET    /api/reports/REFERENCE    with Authorization: Bearer TOKEN: {reference, status}
  DELETE /api/reports/REFERENCE    with the token: withdraws the report
  GET    /api/platform/fingerprints?after=N&limit=L
                                   with Authorization: Bearer KEY (a platform's, see
                                   `report-helper platforms`): the shared fingerprints added
                                   and removed since N, as JSON lines; 401 for a key that is
                                   missing, unknown or revoked; no CORS
  GET    /healthz                  200 when a report could be stored now, 503 otherwise
  anything else                    a file of --site, under the site's Content-Security-Policy;
                                   never a dotfile; 500 for a file the site names but that
                                   cannot be read (a broken link, not a regular file)

A request without exactly one Host header is answered 400. No page may frame the site unless
--frame-ancestors names it.

A wrong or missing token answers 404, as an unknown reference does. Tokens are stored only as
SHA-256; a POST may bring its own (Authorization: Bearer, 26 characters of Crockford base32),
which a replay gives back only to a request that brings it. Idempotency keys are stored only as
a keyed hash. A client that takes longer than --client-timeout to send a request's head, or to
take in any part of an answer, is disconnected; a head over 32 KiB is answered 431. Open
connections are capped (--max-connections, --max-connections-per-address). The first line
printed is the address listened on; the next, on stderr, the limit of open files and the caps.
Ctrl-C or SIGTERM stops.

The database must exist unless --init is given (exit status 2 otherwise). If its file (or its
WAL) is removed or replaced while the server runs, POST and DELETE answer 503 instead of storing
into a file that is gone, and the log (stderr) says so; restart once the database is back.";

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on; port 0 picks a free port. The first line printed names the address.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// The SQLite database; it must exist unless --init is given.
    #[arg(long, value_name = "PATH", default_value = "data/reports.sqlite")]
    db: PathBuf,
    /// Create the database (and its folder, owner-only) if it is not there. Without it, a
    /// missing database stops the server (exit status 2): a wrong path, or a volume that is not
    /// mounted, never gets a fresh empty database.
    #[arg(long)]
    init: bool,
    /// The built site to serve.
    #[arg(long, value_name = "DIR", default_value = "dist")]
    site: PathBuf,
    /// An origin (`https://helpline.example`) whose pages may call the API and load the helper's
    /// files; repeat for more. None by default: same origin only.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    allow_origins: Vec<String>,
    /// A page that may show the site in a frame: `'self'` or a source such as
    /// `https://helpline.example` (the CSP's `frame-ancestors`); repeat for more. None by default
    /// (`frame-ancestors 'none'` and `X-Frame-Options: DENY`).
    #[arg(long = "frame-ancestors", value_name = "SOURCE", value_parser = serve::frame_source)]
    frame_ancestors: Vec<String>,
    /// Reports a client may POST per minute (a burst of N, then one every 60/N s); 0: no limit.
    /// A client is an IPv4 address or an IPv6 /64.
    #[arg(long, value_name = "N", default_value_t = 30)]
    rate_limit: u32,
    /// Status checks and withdrawals (GET and DELETE of /api/reports/{reference}) a client may
    /// send per minute; 0: no limit.
    #[arg(long, value_name = "N", default_value_t = 120)]
    status_rate_limit: u32,
    /// Pages of the platforms' list (GET /api/platform/fingerprints) a client may read per
    /// minute; 0: no limit. A platform polls once in a while and pages through what is new.
    #[arg(long, value_name = "N", default_value_t = 60)]
    platform_rate_limit: u32,
    /// A reverse proxy (an address or a range such as 10.0.0.0/8); repeat for more. Only for a
    /// connection from one of them is the client's address read from `Forwarded: for=` or else
    /// `X-Forwarded-For` (the right-most address that is not a trusted proxy). None by default.
    #[arg(long = "trust-proxy", value_name = "CIDR")]
    trust_proxy: Vec<serve::Cidr>,
    /// Seconds a client may take to send a request's head, then a report's body, and to take in
    /// any part of an answer; a connection waiting longer on its client is closed.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    client_timeout: u64,
    /// Open connections at most. By default the limit of open files (raised to its hard limit
    /// at start) less 64 for the database, the site's files and the log; the log's second line
    /// says the figure. At the cap, a connection waiting on its client makes room for a new one.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    max_connections: Option<u64>,
    /// Open connections from one client (an IPv4 address or an IPv6 /64) at most; more are
    /// closed at once. Connections from --trust-proxy addresses are not counted. 0: no cap.
    #[arg(long, value_name = "N", default_value_t = 64)]
    max_connections_per_address: u32,
}

const HASH_ABOUT: &str = "\
Prints the digests, the PDQ hash and with --vpdq the vPDQ hash of each FILE as one JSON line.

Every file gets SHA-256 and MD5 (and SHA-1 with --sha1), read in chunks, whatever its size.
Files whose first bytes are those of a JPEG, PNG, WebP, GIF or BMP are also decoded and hashed
with PDQ, Meta's perceptual hash; the file name and extension are never looked at. Only the
first frame of an animated GIF or WebP is hashed. SVG is never rendered. Image files over 256 MiB,
and images that would need more than 1 GiB of memory to decode, get digests but no PDQ hash.

\"pdq\" is of the picture as displayed: a JPEG's EXIF orientation is applied, as a site that
re-encodes an upload upright would hash it. When the orientation is not 1, \"pdq_stored\" is
of the pixels as stored, as Meta's reference tools hash the file (they ignore the orientation).
Both are exact: the second picture is the first one's pixels moved, not decoded again. A copy
rotated or flipped otherwise matches one of the dihedral hashes that --dihedral adds (of the
picture as displayed).

Output, one line per FILE, in the order given:
  {\"file\": FILE, \"size\": bytes, \"sha256\": hex, \"md5\": hex, \"sha1\": hex (only with --sha1),
   \"pdq\": {\"hash\": 64 hex, \"quality\": 0-100, \"width\": px, \"height\": px,
           \"dihedral\": {\"rot90\", \"rot180\", \"rot270\", \"flipx\", \"flipy\", \"flipp\", \"flipm\"}
                       (only with --dihedral)} or null,
   \"pdq_stored\": {\"hash\": 64 hex, \"quality\": 0-100} (only when the EXIF orientation is not 1),
   \"vpdq\": {\"seconds_per_hash\": 1,
            \"frames\": [{\"frame\": number, \"hash\": 64 hex, \"quality\": 0-100}, ...],
            \"partial\": true (only when the video was cut short or failed to decode part way)}
           or null (only with --vpdq),
   \"vpdq_error\": null or {\"code\": \"not-a-video\" | \"unsupported-codec\" | \"decode-failed\" |
                 \"no-frames\", \"message\": why} (only with --vpdq),
   \"error\": null or why there is no PDQ hash or no digests}
A file that is not an image, is empty or does not decode has its digests, \"pdq\": null and an
\"error\". A file that cannot be read (missing, no permission, a directory) has \"size\", the
digests and \"pdq\" all null, and an \"error\".

vPDQ (--vpdq) is Meta's video fingerprint: a PDQ hash of one frame a second. After reading the
digests, FFmpeg's libraries (the system's, as Meta's reference vpdq uses) open FILE as a video,
decode its first video stream and hash every Nth frame the decoder returns, N being the frame
rate truncated (29 at 29.97 fps), counting from frame 0, converted to RGB as the reference does:
the frame numbers, hashes and qualities are the reference's. Only local files are read (FFmpeg's
file protocol alone). Pictures (anything FFmpeg reads as a still image, and GIF or APNG of one
frame), playlists (HLS, concat, ...), audio files and files without a video stream are
\"not-a-video\"; files FFmpeg cannot open are \"decode-failed\"; a video track without frames
is \"no-frames\". A video cut short, or with a packet that fails to decode, keeps the frames
hashed before it, with \"partial\": true. vPDQ errors do not change the exit status.

Quality: platforms discard PDQ hashes of quality under 50. Images with a side under 5 pixels,
and images of one flat colour, get quality 0 (the former the all-zero hash): such a hash is
useless for matching.

Exit status: 0 when every file was read (images or not), 1 when some file could not be read
(the other files are still printed), 2 for bad usage.";

#[derive(clap::Args)]
struct HashArgs {
    /// PDQ variant: `full` hashes the whole image (Meta's C++ library, pdqhash, ThreatExchange);
    /// `cli512` first resizes an image with a side over 512 pixels to exactly 512x512 (nearest
    /// neighbour, aspect ratio ignored), as Meta's command-line hasher and its browser build do.
    #[arg(long, value_enum, value_name = "VARIANT", default_value_t = PdqVariant::Full)]
    pdq: PdqVariant,
    /// Also print the PDQ hashes of the image rotated by 90, 180 and 270 degrees and flipped
    /// (about the x and y axes and the two diagonals).
    #[arg(long)]
    dihedral: bool,
    /// Also compute SHA-1.
    #[arg(long)]
    sha1: bool,
    /// Also hash each FILE as a video with vPDQ (Meta's video fingerprint, one PDQ hash a second).
    #[arg(long)]
    vpdq: bool,
    /// Files to hash.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum PdqVariant {
    Full,
    Cli512,
}

fn main() -> ExitCode {
    let args = match Cli::parse().command {
        Command::Hash(args) => args,
        Command::Serve(args) => {
            if !args.init && !args.db.is_file() {
                let _ = writeln!(
                    io::stderr(),
                    "report-helper: no database at {} (start with --init to create it)",
                    args.db.display()
                );
                return ExitCode::from(2);
            }
            let config = serve::Config {
                addr: args.addr,
                db: args.db,
                init: args.init,
                site: args.site,
                allow_origins: args.allow_origins,
                frame_ancestors: args.frame_ancestors,
                rate_limit: args.rate_limit,
                status_rate_limit: args.status_rate_limit,
                platform_rate_limit: args.platform_rate_limit,
                trust_proxy: args.trust_proxy,
                client_timeout: std::time::Duration::from_secs(args.client_timeout),
                max_connections: args
                    .max_connections
                    .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
                max_connections_per_address: args.max_connections_per_address as usize,
            };
            return match serve::run(config) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    let _ = writeln!(io::stderr(), "report-helper: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        Command::Reports(command) => return reports::run(command),
        Command::Platforms(command) => return platforms::run(command),
        Command::Fingerprints(command) => return platforms::run_fingerprints(command),
        Command::Verify(args) => return verify::run(&args.receipt, &args.files),
        Command::Match(args) => return matching::run(&args.list, args.pdq_threshold, &args.paths),
    };
    let options = Options {
        size: match args.pdq {
            PdqVariant::Full => PdqSize::Full,
            PdqVariant::Cli512 => PdqSize::Cli512,
        },
        dihedral: args.dihedral,
        sha1: args.sha1,
        vpdq: args.vpdq,
    };
    let mut stdout = io::stdout().lock();
    let mut unreadable = false;
    for path in &args.files {
        let outcome = hash_file(path, options);
        unreadable |= outcome.is_err();
        let line = json_line(&path.to_string_lossy(), &outcome, options);
        if let Err(e) = writeln!(stdout, "{line}").and_then(|()| stdout.flush()) {
            if e.kind() != io::ErrorKind::BrokenPipe {
                let _ = writeln!(io::stderr(), "report-helper: cannot write the output: {e}");
            }
            return ExitCode::FAILURE;
        }
    }
    if unreadable {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
