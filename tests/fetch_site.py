"""A news site on loopback for the crawler's tests, written here: three language prefixes, a
paginated listing, a sitemap index, hreflang alternates on some releases and only a language
switcher on others, and each misbehaviour a real site has (see `SiteHandler.special`). Every
request is logged with the host it was sent to."""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LANGS = ("tk", "ru", "en")
RELEASES = {  # id: {lang: (title, sentence)}, dates one a day back from 2024-05-10
    1: {
        "tk": (
            "Türkmenistan we Mongoliýa",
            "Taraplar ikitaraplaýyn hyzmatdaşlygyň meselelerini ara alyp maslahatlaşdylar.",
        ),
        "ru": ("Туркменистан и Монголия", "Стороны обсудили вопросы двустороннего сотрудничества."),
        "en": ("Turkmenistan and Mongolia", "The sides discussed issues of bilateral cooperation."),
    },
    2: {
        "tk": ("Gepleşikler geçirildi", "Daşary işler ministrleri Aşgabatda duşuşyp, gepleşikler geçirdiler."),
        "ru": ("Состоялись переговоры", "Министры иностранных дел встретились в Ашхабаде и провели переговоры."),
        "en": ("Talks were held", "The foreign ministers met in Ashgabat and held talks."),
    },
    3: {
        "tk": ("Täze ilçi", "Täze ilçi Türkmenistanyň Prezidentine ynanç hatlaryny gowşurdy."),
        "ru": ("Новый посол", "Новый посол вручил верительные грамоты Президенту Туркменистана."),
        "en": ("A new ambassador", "The new ambassador presented his credentials to the President of Turkmenistan."),
    },
    4: {
        "tk": ("Halkara maslahat", "Halkara maslahat Aşgabatda üstünlikli geçirildi we ýapyldy."),
        "ru": ("Международная конференция", "Международная конференция успешно прошла в Ашхабаде и завершилась."),
        "en": ("An international conference", "The international conference was held in Ashgabat and closed."),
    },
    5: {
        "tk": ("Ylalaşyk", "Taraplar ulag ulgamynda hyzmatdaşlyk etmek barada ylalaşyga gol çekdiler."),
        "ru": ("Соглашение", "Стороны подписали соглашение о сотрудничестве в области транспорта."),
        "en": ("An agreement", "The sides signed an agreement on cooperation in transport."),
    },
    6: {
        "tk": ("Sergi", "Türkmen halkynyň medeniýetine bagyşlanan sergi açyldy."),
        "ru": ("Выставка", "Открылась выставка, посвящённая культуре туркменского народа."),
        "en": ("An exhibition", "An exhibition on the culture of the Turkmen people opened."),
    },
}
PER_PAGE = 2


class Site:
    """The site's state: what it serves and everything it was asked."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, str]] = []  # (host header, method path, status)
        self.lock = threading.Lock()
        self.changed = False  # release 1 in English is rewritten between two runs
        self.hang = threading.Event()  # set: /en/news/2 answers; unset: it waits (a run to kill)
        self.hang.set()
        self.failures = {"/en/news/3": 2, "/ru/news/4": 1}  # 500 twice; 429 once
        self.address = ""

    def log(self, host: str, path: str, status: int) -> None:
        with self.lock:
            self.requests.append((host, path, str(status)))

    def paths(self, status: str | None = None) -> list[str]:
        with self.lock:
            return [path for _, path, code in self.requests if status is None or code == status]


def page(release: int, lang: str, site: Site, alternates: bool) -> str:
    title, sentence = RELEASES[release][lang]
    if release == 1 and lang == "en" and site.changed:
        sentence = "The sides discussed cooperation in transport."
    day = f"2024-05-{10 - release:02d}"
    head = ""
    switcher = ""
    if release == 4:
        pass  # names no other version: they are found under the other language prefixes
    elif alternates:
        head = "".join(f'<link rel="alternate" hreflang="{code}" href="/{code}/news/{release}">' for code in LANGS)
    else:
        switcher = "".join(f'<li><a href="/{code}/news/{release}">{code.upper()}</a></li>' for code in LANGS)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
        f'<body><nav><ul>{switcher}</ul></nav><article><h1>{title}</h1><time datetime="{day}">{day}</time>'
        f"<p>{sentence}</p><p>{sentence}</p></article></body></html>"
    )


def listing(lang: str, number: int) -> str:
    ids = sorted(RELEASES)[(number - 1) * PER_PAGE : number * PER_PAGE]
    items = "".join(
        f'<li><a href="/{lang}/news/{i}">{RELEASES[i][lang][0]}</a> <time datetime="2024-05-{10 - i:02d}"></time></li>'
        for i in ids
    )
    more = f'<a href="/{lang}/news?page={number + 1}">next</a>' if number * PER_PAGE < len(RELEASES) else ""
    odd = (
        '<a href="/private/secret">staff</a><a href="/files/report.pdf">report</a><a href="/en/news/77">slow</a>'
        '<a href="/en/news/88">loop</a><a href="/en/news/90">moved</a><a href="/en/news/91">huge</a>'
        if lang == "en" and number == 1
        else ""
    )
    return f"<!DOCTYPE html><html><body><ul>{items}</ul>{more}{odd}</body></html>"


class SiteHandler(BaseHTTPRequestHandler):
    site: Site
    other_host: str = ""

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        status, headers, body = self.answer()
        self.site.log(self.headers.get("Host", ""), self.path, status)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def answer(self) -> tuple[int, dict, bytes]:
        path, site = self.path, self.site
        special = self.special(path)
        if special:
            return special
        if path == "/robots.txt":
            text = f"User-agent: *\nDisallow: /private/\nSitemap: {site.address}/sitemap_index.xml\n"
            return 200, {"Content-Type": "text/plain"}, text.encode()
        if path == "/sitemap_index.xml":
            body = f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{site.address}/sitemap-news.xml</loc></sitemap></sitemapindex>'
            return 200, {"Content-Type": "application/xml"}, body.encode()
        if path == "/sitemap-news.xml":
            locations = "".join(f"<url><loc>{site.address}/tk/news/{i}</loc></url>" for i in (5, 6))
            body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locations}</urlset>'
            return 200, {"Content-Type": "application/xml"}, body.encode()
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] in LANGS and parts[1].startswith("news"):
            number = int(path.split("page=")[1]) if "page=" in path else 1
            return 200, {"Content-Type": "text/html; charset=utf-8"}, listing(parts[0], number).encode()
        if (
            len(parts) == 3
            and parts[0] in LANGS
            and parts[1] == "news"
            and parts[2].isdigit()
            and int(parts[2]) in RELEASES
        ):
            return self.release(int(parts[2]), parts[0])
        return 404, {"Content-Type": "text/plain"}, b"not found"

    def release(self, number: int, lang: str) -> tuple[int, dict, bytes]:
        text = page(number, lang, self.site, alternates=number % 2 == 1)
        charset = "windows-1251" if (number, lang) == (6, "ru") else "utf-8"
        body = text.replace('charset="utf-8"', f'charset="{charset}"').encode(charset)
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": f"text/html; charset={charset}", "ETag": etag}, body

    def special(self, path: str) -> tuple[int, dict, bytes] | None:
        site = self.site
        if path == "/en/news/2" and not site.hang.is_set():
            site.log(self.headers.get("Host", ""), path + " (held)", 0)
            site.hang.wait(30)
        with site.lock:
            left = site.failures.get(path, 0)
            if left:
                site.failures[path] = left - 1
        if left and path == "/en/news/3":
            return 500, {"Content-Type": "text/plain"}, b"server error"
        if left and path == "/ru/news/4":
            return 429, {"Content-Type": "text/plain", "Retry-After": "1"}, b"slow down"
        if path == "/en/news/77":
            time.sleep(2.5)
            return 200, {"Content-Type": "text/html"}, b"<html><body><p>late</p></body></html>"
        if path in ("/en/news/88", "/en/news/89"):
            return 302, {"Location": "/en/news/89" if path.endswith("88") else "/en/news/88"}, b""
        if path == "/en/news/90":
            return 301, {"Location": f"{self.other_host}/en/news/90"}, b""
        if path == "/en/news/91":
            body = ("<html><body><h1>Huge</h1>" + "<p>Text of a huge page.</p>" * 40_000 + "</body></html>").encode()
            return 200, {"Content-Type": "text/html"}, body
        if path == "/files/report.pdf":
            return 200, {"Content-Type": "application/pdf"}, b"%PDF-1.4 not a page"
        if path.startswith("/private/"):
            return 200, {"Content-Type": "text/html"}, b"<html><body><p>secret</p></body></html>"
        return None


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """A client that hung up (the crawler's timeout on the slow page) is not an error of the site."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serving() -> Iterator[tuple[Site, Site]]:
    """The news site and another host (a second server), both on loopback."""
    site, other = Site(), Site()
    servers = []
    for state in (other, site):
        handler = type("Handler", (SiteHandler,), {"site": state})
        server = QuietServer(("127.0.0.1", 0), handler)
        state.address = f"http://127.0.0.1:{server.server_address[1]}"
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    servers[1].RequestHandlerClass.other_host = other.address.replace("127.0.0.1", "localhost")
    try:
        yield site, other
    finally:
        site.hang.set()
        for server in servers:
            server.shutdown()
            server.server_close()
