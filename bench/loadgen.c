/*
 * The benchmark's load generator: SigV4-signed AWS JSON 1.1 requests over N keep-alive HTTP/1.1
 * connections, one request outstanding on each, for a number of seconds (or requests).
 *
 * Written in C, single-threaded on epoll, because the Node generator it replaces cost 60–120 µs of CPU per
 * request: on a 2-core machine it capped near 20k req/s and took a core from the server it measured. This
 * one costs ~10 µs against a fast server and 20–30 µs against Trent, of which 3–6 µs are its own code (the
 * rest is the kernel: loopback TCP and a sleep and wake-up per response). It signs every request afresh
 * (payload hash and signature per request; only the derived signing key is cached, per UTC date) and parses
 * responses only as far as the status line, Content-Length and `Connection: close`. A connection the server
 * closes after a response is reopened for the next request; one that fails (refused, reset, closed before
 * the answer) counts one error and is not used again.
 *
 *   AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... loadgen --host 127.0.0.1 --port 4000 --region us-east-1 \
 *     --operation Encrypt --bodies bodies.jsonl --in-flight 16 --seconds 5 [--max-requests 40]
 *
 * Credentials come from the environment, as for AWS's own tools, so that the secret is not in the process
 * list. The bodies file holds one JSON body per line, sent round-robin. On exit one line of JSON goes to
 * stdout: requests (200 answers), errors (other answers and failed connections), seconds, perSecond,
 * p50Ms, p99Ms, firstError (status and the first 200 bytes of the body), cpuSeconds (this process's own).
 *
 *   cc -O2 -Wall -Wextra -o loadgen loadgen.c -lcrypto
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#define SIGNED_HEADERS "content-type;host;x-amz-date;x-amz-target"
#define CONTENT_TYPE "application/x-amz-json-1.1"
#define FIRST_ERROR_BODY 200
/* After the run's end, how long requests still outstanding are waited for before they count as errors. */
#define GRACE_SECONDS 30

/* ---------- helpers ---------- */

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("loadgen: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static void *xmalloc(size_t n) {
  void *p = malloc(n);
  if (!p) die("out of memory");
  return p;
}

static void *xrealloc(void *p, size_t n) {
  p = realloc(p, n);
  if (!p) die("out of memory");
  return p;
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static char *put(char *dst, const void *src, size_t n) {
  memcpy(dst, src, n);
  return dst + n;
}

static char *put_str(char *dst, const char *s) { return put(dst, s, strlen(s)); }

static void to_hex(const unsigned char *in, size_t n, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[in[i] >> 4];
    out[2 * i + 1] = digits[in[i] & 15];
  }
}

/* ---------- SHA-256 and HMAC through OpenSSL, algorithms fetched once ---------- */

static EVP_MD *sha256_md;
static EVP_MD_CTX *sha256_ctx;
static EVP_MAC_CTX *hmac_ctx;

static void crypto_init(void) {
  sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
  sha256_ctx = EVP_MD_CTX_new();
  EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  hmac_ctx = hmac ? EVP_MAC_CTX_new(hmac) : NULL;
  EVP_MAC_free(hmac); /* the context keeps its own reference */
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
    OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
    OSSL_PARAM_construct_end(),
  };
  if (!sha256_md || !sha256_ctx || !hmac_ctx || !EVP_MAC_CTX_set_params(hmac_ctx, params)) die("OpenSSL: no SHA-256/HMAC");
}

static void sha256(const void *data, size_t n, unsigned char out[32]) {
  if (!EVP_DigestInit_ex2(sha256_ctx, sha256_md, NULL) || !EVP_DigestUpdate(sha256_ctx, data, n) ||
      !EVP_DigestFinal_ex(sha256_ctx, out, NULL))
    die("OpenSSL: SHA-256 failed");
}

static void hmac_sha256(const unsigned char *key, size_t key_len, const void *data, size_t n, unsigned char out[32]) {
  size_t out_len;
  if (!EVP_MAC_init(hmac_ctx, key, key_len, NULL) || !EVP_MAC_update(hmac_ctx, data, n) ||
      !EVP_MAC_final(hmac_ctx, out, &out_len, 32))
    die("OpenSSL: HMAC-SHA-256 failed");
}

/* ---------- SigV4 ---------- */

static const char *access_key_id, *secret_access_key, *region;
static char *host_header;    /* host:port, as sent and as signed */
static char *target_header;  /* TrentService.<Operation> */
static char *canonical_head; /* the canonical request up to the x-amz-date value */
static char *canonical_mid;  /* from after the x-amz-date value up to the payload hash */

/* What depends on the clock: refreshed each second, the signing key and scope each UTC day. */
static struct {
  time_t second;
  char amz_date[17]; /* yyyymmddThhmmssZ */
  char day[9];       /* yyyymmdd */
  unsigned char signing_key[32];
  char scope[128];        /* day/region/kms/aws4_request */
  char *authorization;    /* "authorization: AWS4-HMAC-SHA256 Credential=id/scope, SignedHeaders=..., Signature=" */
} clock_state = { .second = -1 };

static void refresh_clock(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  if (ts.tv_sec == clock_state.second) return;
  clock_state.second = ts.tv_sec;
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  strftime(clock_state.amz_date, sizeof clock_state.amz_date, "%Y%m%dT%H%M%SZ", &tm);
  if (memcmp(clock_state.day, clock_state.amz_date, 8) == 0) return;
  memcpy(clock_state.day, clock_state.amz_date, 8);
  clock_state.day[8] = '\0';

  size_t secret_len = 4 + strlen(secret_access_key);
  char *k_secret = xmalloc(secret_len + 1);
  snprintf(k_secret, secret_len + 1, "AWS4%s", secret_access_key);
  unsigned char key[32];
  hmac_sha256((unsigned char *)k_secret, secret_len, clock_state.day, 8, key);
  hmac_sha256(key, 32, region, strlen(region), key);
  hmac_sha256(key, 32, "kms", 3, key);
  hmac_sha256(key, 32, "aws4_request", 12, clock_state.signing_key);
  OPENSSL_cleanse(k_secret, secret_len);
  free(k_secret);

  if ((size_t)snprintf(clock_state.scope, sizeof clock_state.scope, "%s/%s/kms/aws4_request", clock_state.day, region) >=
      sizeof clock_state.scope)
    die("region too long");
  free(clock_state.authorization);
  size_t n = strlen(access_key_id) + strlen(clock_state.scope) + 128;
  clock_state.authorization = xmalloc(n);
  snprintf(clock_state.authorization, n,
           "authorization: AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=" SIGNED_HEADERS ", Signature=", access_key_id,
           clock_state.scope);
}

struct body {
  const char *data;
  size_t len;
  char length[24]; /* len in decimal, for Content-Length */
  size_t length_len;
};

static struct body *bodies;
static size_t body_count, body_max_len, next_body;
static char *canonical_buf;
static size_t request_cap;

/* Writes the whole request (head and body) into `out`, signed now, and returns its length. */
static size_t build_request(char *out, const struct body *b) {
  refresh_clock();
  unsigned char digest[32];
  char payload_hash[64], signature[64];
  sha256(b->data, b->len, digest);
  to_hex(digest, 32, payload_hash);

  char *p = put_str(canonical_buf, canonical_head);
  p = put(p, clock_state.amz_date, 16);
  p = put_str(p, canonical_mid);
  p = put(p, payload_hash, 64);
  sha256(canonical_buf, (size_t)(p - canonical_buf), digest);

  char to_sign[256];
  char *s = put_str(to_sign, "AWS4-HMAC-SHA256\n");
  s = put(s, clock_state.amz_date, 16);
  *s++ = '\n';
  s = put_str(s, clock_state.scope);
  *s++ = '\n';
  to_hex(digest, 32, s);
  s += 64;
  hmac_sha256(clock_state.signing_key, 32, to_sign, (size_t)(s - to_sign), digest);
  to_hex(digest, 32, signature);

  p = put_str(out, "POST / HTTP/1.1\r\nhost: ");
  p = put_str(p, host_header);
  p = put_str(p, "\r\ncontent-type: " CONTENT_TYPE "\r\nx-amz-target: ");
  p = put_str(p, target_header);
  p = put_str(p, "\r\nx-amz-date: ");
  p = put(p, clock_state.amz_date, 16);
  p = put_str(p, "\r\n");
  p = put_str(p, clock_state.authorization);
  p = put(p, signature, 64);
  p = put_str(p, "\r\ncontent-length: ");
  p = put(p, b->length, b->length_len);
  p = put_str(p, "\r\nconnection: keep-alive\r\n\r\n");
  p = put(p, b->data, b->len);
  return (size_t)(p - out);
}

/* ---------- results ---------- */

static int64_t *latencies; /* ns, successes only */
static size_t latency_count, latency_cap;
static uint64_t errors;
static char *first_error;

static void record_latency(int64_t ns) {
  if (latency_count == latency_cap) {
    latency_cap = latency_cap ? latency_cap * 2 : 1 << 16;
    latencies = xrealloc(latencies, latency_cap * sizeof *latencies);
  }
  latencies[latency_count++] = ns;
}

static void record_error(const char *fmt, ...) {
  errors++;
  if (first_error) return;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&first_error, fmt, ap) < 0) die("out of memory");
  va_end(ap);
}

/* ---------- connections ---------- */

enum conn_state {
  IDLE,       /* no request outstanding (after the run's end) */
  CONNECTING, /* request started, connection being opened */
  SENDING,    /* request partly written */
  RECEIVING,  /* request written, response not complete */
  RETIRED,    /* failed: not used again */
};

struct conn {
  int fd;
  enum conn_state state;
  int want_write;           /* EPOLLOUT in the interest set */
  int64_t started_ns;       /* when the current request started (its connection included, if one was opened) */
  char *out;                /* the current request */
  size_t out_len, out_sent;
  char *in;                 /* response bytes */
  size_t in_len, in_cap;
  size_t scanned;           /* how far the head's end has been looked for */
  size_t head_len;          /* 0 until the head is complete, then its length with the blank line */
  size_t body_len;
  int status;
  int until_eof;            /* no Content-Length but Connection: close: the body ends with the connection */
  int close_after;
};

static int epoll_fd;
static struct addrinfo *server_addr;
static int64_t deadline_ns;
static uint64_t max_requests; /* 0: no cap */
static uint64_t started;
static size_t outstanding; /* connections with a request in progress */

static void drop_fd(struct conn *c) {
  if (c->fd >= 0) close(c->fd); /* closing also removes it from the epoll set */
  c->fd = -1;
  c->want_write = 0;
}

static void watch(struct conn *c, int op, uint32_t events) {
  struct epoll_event ev = { .events = events, .data.ptr = c };
  if (epoll_ctl(epoll_fd, op, c->fd, &ev) < 0) die("epoll_ctl: %s", strerror(errno));
}

static void set_want_write(struct conn *c, int want) {
  if (c->want_write == want) return;
  c->want_write = want;
  watch(c, EPOLL_CTL_MOD, want ? EPOLLIN | EPOLLOUT : EPOLLIN);
}

/* A connection that failed: one error, and it is not used again (retrying a refused or reset connection
 * would turn one failure of the server into an error storm). */
static void retire(struct conn *c, const char *what) {
  record_error("%s", what);
  drop_fd(c);
  c->state = RETIRED;
  outstanding--;
}

static void flush(struct conn *c) {
  while (c->out_sent < c->out_len) {
    ssize_t n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);
    if (n > 0) {
      c->out_sent += (size_t)n;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      set_want_write(c, 1);
      return;
    } else {
      char what[160];
      snprintf(what, sizeof what, "send: %s", n < 0 ? strerror(errno) : "wrote nothing");
      retire(c, what);
      return;
    }
  }
  set_want_write(c, 0);
  c->state = RECEIVING;
}

static void send_request(struct conn *c) {
  const struct body *b = &bodies[next_body];
  next_body = (next_body + 1) % body_count;
  c->out_len = build_request(c->out, b);
  c->out_sent = 0;
  c->in_len = c->scanned = c->head_len = c->body_len = 0;
  c->until_eof = c->close_after = 0;
  c->state = SENDING;
  flush(c);
}

static void open_connection(struct conn *c) {
  c->fd = socket(server_addr->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) {
    char what[160];
    snprintf(what, sizeof what, "socket: %s", strerror(errno));
    retire(c, what);
    return;
  }
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c->state = CONNECTING;
  if (connect(c->fd, server_addr->ai_addr, server_addr->ai_addrlen) == 0) {
    watch(c, EPOLL_CTL_ADD, EPOLLIN);
    send_request(c);
  } else if (errno == EINPROGRESS) {
    c->want_write = 1;
    watch(c, EPOLL_CTL_ADD, EPOLLIN | EPOLLOUT);
  } else {
    char what[160];
    snprintf(what, sizeof what, "connect: %s", strerror(errno));
    retire(c, what);
  }
}

static void finish_connect(struct conn *c) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
  if (err) {
    char what[160];
    snprintf(what, sizeof what, "connect: %s", strerror(err));
    retire(c, what);
    return;
  }
  send_request(c);
}

/* Starts the next request on `c` if the run goes on; otherwise the connection goes idle. */
static void start_request(struct conn *c) {
  int64_t now = now_ns();
  if (now >= deadline_ns || (max_requests && started >= max_requests)) {
    c->state = IDLE;
    outstanding--;
    return;
  }
  started++;
  c->started_ns = now;
  if (c->fd < 0) open_connection(c);
  else send_request(c);
}

static void complete(struct conn *c) {
  int64_t latency = now_ns() - c->started_ns;
  if (c->status == 200) {
    record_latency(latency);
  } else {
    size_t shown = c->body_len < FIRST_ERROR_BODY ? c->body_len : FIRST_ERROR_BODY;
    record_error("%d %.*s", c->status, (int)shown, c->in + c->head_len);
  }
  /* An answer that came before the request was all written leaves the connection in no known state. Bytes
   * after the response (none are expected with one request outstanding) are dropped by the next request. */
  if (c->close_after || c->until_eof || c->state == SENDING) drop_fd(c);
  start_request(c);
}

/* Case-insensitive: does [s, s+n) contain `word`? */
static int contains_word(const char *s, size_t n, const char *word) {
  size_t w = strlen(word);
  for (size_t i = 0; i + w <= n; i++)
    if (strncasecmp(s + i, word, w) == 0) return 1;
  return 0;
}

/* Reads the head once it is complete: status, Content-Length, Connection. */
static int parse_head(struct conn *c) {
  const char *h = c->in;
  if (c->head_len < 16 || memcmp(h, "HTTP/1.", 7) != 0 || h[8] != ' ') return 0;
  for (int i = 9; i < 12; i++)
    if (h[i] < '0' || h[i] > '9') return 0;
  c->status = (h[9] - '0') * 100 + (h[10] - '0') * 10 + (h[11] - '0');
  int has_length = 0;
  const char *end = h + c->head_len - 2;
  for (const char *line = (const char *)memchr(h, '\n', c->head_len) + 1; line < end;) {
    const char *eol = memchr(line, '\n', (size_t)(end - line));
    if (!eol) eol = end;
    size_t n = (size_t)(eol - line);
    if (n > 15 && strncasecmp(line, "content-length:", 15) == 0) {
      char *digits_end;
      c->body_len = strtoull(line + 15, &digits_end, 10);
      has_length = digits_end > line + 15;
    } else if (n > 11 && strncasecmp(line, "connection:", 11) == 0 && contains_word(line + 11, n - 11, "close")) {
      c->close_after = 1;
    }
    line = eol + 1;
  }
  if (!has_length) c->until_eof = c->close_after;
  return 1;
}

static void receive(struct conn *c) {
  if (c->in_len == c->in_cap) {
    c->in_cap *= 2;
    c->in = xrealloc(c->in, c->in_cap);
  }
  ssize_t n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    char what[160];
    snprintf(what, sizeof what, "recv: %s", strerror(errno));
    retire(c, what);
    return;
  }
  if (n == 0) {
    if (c->head_len && c->until_eof) {
      c->body_len = c->in_len - c->head_len;
      complete(c);
    } else {
      retire(c, "connection closed by the server before the response");
    }
    return;
  }
  c->in_len += (size_t)n;
  if (!c->head_len) {
    size_t from = c->scanned > 3 ? c->scanned - 3 : 0;
    const char *end = memmem(c->in + from, c->in_len - from, "\r\n\r\n", 4);
    c->scanned = c->in_len;
    if (!end) return;
    c->head_len = (size_t)(end - c->in) + 4;
    if (!parse_head(c)) {
      retire(c, "not an HTTP/1.x response");
      return;
    }
  }
  if (!c->until_eof && c->in_len >= c->head_len + c->body_len) complete(c);
}

static void on_event(struct conn *c, uint32_t events) {
  switch (c->state) {
  case CONNECTING:
    finish_connect(c);
    return;
  case SENDING:
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) receive(c);
    if (c->state == SENDING && (events & EPOLLOUT)) flush(c);
    return;
  case RECEIVING:
    receive(c);
    return;
  case IDLE:
    drop_fd(c); /* the server closed (or wrote to) a connection no longer used */
    return;
  case RETIRED:
    return;
  }
}

/* ---------- setup ---------- */

static void read_bodies(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) die("%s: %s", path, strerror(errno));
  size_t cap = 1 << 16, len = 0;
  char *data = xmalloc(cap);
  size_t n;
  while ((n = fread(data + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len == cap) data = xrealloc(data, cap *= 2);
  }
  if (ferror(f)) die("%s: read error", path);
  fclose(f);
  size_t bodies_cap = 16;
  bodies = xmalloc(bodies_cap * sizeof *bodies);
  for (size_t i = 0; i < len;) {
    char *nl = memchr(data + i, '\n', len - i);
    size_t line_len = nl ? (size_t)(nl - (data + i)) : len - i;
    if (body_count == bodies_cap) bodies = xrealloc(bodies, (bodies_cap *= 2) * sizeof *bodies);
    struct body *b = &bodies[body_count++];
    b->data = data + i;
    b->len = line_len;
    b->length_len = (size_t)snprintf(b->length, sizeof b->length, "%zu", line_len);
    if (line_len > body_max_len) body_max_len = line_len;
    i += line_len + 1;
  }
  if (!body_count) die("%s: no bodies (one JSON body per line)", path);
}

static char *concat(const char *a, const char *b, const char *c) {
  size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
  char *s = xmalloc(n);
  snprintf(s, n, "%s%s%s", a, b, c);
  return s;
}

static double parse_seconds(const char *s) {
  char *end;
  double v = strtod(s, &end);
  if (end == s || *end || !(v >= 0)) die("--seconds: expected a number >= 0, got '%s'", s);
  return v;
}

static unsigned long long parse_count(const char *name, const char *s) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (end == s || *end || *s == '-' || errno || v == 0) die("--%s: expected a whole number >= 1, got '%s'", name, s);
  return v;
}

static void usage(void) {
  fputs("usage: AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... loadgen --host HOST --port PORT --region REGION\n"
        "         --operation OPERATION --bodies FILE --in-flight N --seconds S [--max-requests M]\n",
        stderr);
  exit(2);
}

static void print_json_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\') printf("\\%c", ch);
    else if (ch < 0x20) printf("\\u%04x", ch);
    else putchar(ch);
  }
  putchar('"');
}

static int compare_ns(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static void print_percentile(const char *name, double p) {
  if (!latency_count) {
    printf(",\"%s\":null", name);
    return;
  }
  size_t i = (size_t)((double)latency_count * p / 100);
  if (i >= latency_count) i = latency_count - 1;
  printf(",\"%s\":%.4f", name, (double)latencies[i] / 1e6);
}

int main(int argc, char **argv) {
  const char *host = NULL, *port = NULL, *operation = NULL, *bodies_path = NULL;
  double seconds = -1;
  size_t in_flight = 0;
  static const struct option options[] = {
    { "host", required_argument, NULL, 'h' },       { "port", required_argument, NULL, 'p' },
    { "region", required_argument, NULL, 'r' },     { "operation", required_argument, NULL, 'o' },
    { "bodies", required_argument, NULL, 'b' },     { "in-flight", required_argument, NULL, 'n' },
    { "seconds", required_argument, NULL, 's' },    { "max-requests", required_argument, NULL, 'm' },
    { NULL, 0, NULL, 0 },
  };
  for (int opt; (opt = getopt_long(argc, argv, "", options, NULL)) != -1;) {
    switch (opt) {
    case 'h': host = optarg; break;
    case 'p': port = optarg; break;
    case 'r': region = optarg; break;
    case 'o': operation = optarg; break;
    case 'b': bodies_path = optarg; break;
    case 'n': in_flight = parse_count("in-flight", optarg); break;
    case 's': seconds = parse_seconds(optarg); break;
    case 'm': max_requests = parse_count("max-requests", optarg); break;
    default: usage();
    }
  }
  access_key_id = getenv("AWS_ACCESS_KEY_ID");
  secret_access_key = getenv("AWS_SECRET_ACCESS_KEY");
  if (optind != argc || !host || !port || !region || !operation || !bodies_path || !in_flight || seconds < 0) usage();
  if (!access_key_id || !secret_access_key) die("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set");

  struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
  int gai = getaddrinfo(host, port, &hints, &server_addr);
  if (gai) die("%s:%s: %s", host, port, gai_strerror(gai));
  crypto_init();
  read_bodies(bodies_path);

  host_header = concat(host, ":", port);
  target_header = concat("TrentService.", operation, "");
  canonical_head = concat("POST\n/\n\ncontent-type:" CONTENT_TYPE "\nhost:", host_header, "\nx-amz-date:");
  canonical_mid = concat("\nx-amz-target:", target_header, "\n\n" SIGNED_HEADERS "\n");
  canonical_buf = xmalloc(strlen(canonical_head) + 16 + strlen(canonical_mid) + 64);
  refresh_clock();
  request_cap = 512 + strlen(host_header) + strlen(target_header) + strlen(clock_state.authorization) + 64 + body_max_len;

  epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) die("epoll_create1: %s", strerror(errno));
  struct conn *conns = calloc(in_flight, sizeof *conns);
  if (!conns) die("out of memory");

  int64_t start = now_ns();
  deadline_ns = start + (int64_t)(seconds * 1e9);
  for (size_t i = 0; i < in_flight; i++) {
    struct conn *c = &conns[i];
    c->fd = -1;
    c->out = xmalloc(request_cap);
    c->in_cap = 16384;
    c->in = xmalloc(c->in_cap);
    outstanding++;
    start_request(c);
  }

  char grace_error[64];
  snprintf(grace_error, sizeof grace_error, "no response within %d s after the run's end", GRACE_SECONDS);
  struct epoll_event events[256];
  while (outstanding) {
    int n = epoll_wait(epoll_fd, events, 256, 1000);
    if (n < 0 && errno != EINTR) die("epoll_wait: %s", strerror(errno));
    for (int i = 0; i < n; i++) on_event(events[i].data.ptr, events[i].events);
    if (now_ns() > deadline_ns + (int64_t)GRACE_SECONDS * 1000000000) {
      for (size_t i = 0; i < in_flight; i++) {
        if (conns[i].state == CONNECTING || conns[i].state == SENDING || conns[i].state == RECEIVING)
          retire(&conns[i], grace_error);
      }
    }
  }
  double elapsed = (double)(now_ns() - start) / 1e9;

  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;

  qsort(latencies, latency_count, sizeof *latencies, compare_ns);
  printf("{\"requests\":%zu,\"errors\":%llu,\"seconds\":%.6f,\"perSecond\":%.3f", latency_count,
         (unsigned long long)errors, elapsed, elapsed > 0 ? (double)latency_count / elapsed : 0.0);
  print_percentile("p50Ms", 50);
  print_percentile("p99Ms", 99);
  fputs(",\"firstError\":", stdout);
  if (first_error) print_json_string(first_error);
  else fputs("null", stdout);
  printf(",\"cpuSeconds\":%.6f}\n", cpu);
  return 0;
}
