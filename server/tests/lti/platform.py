"""An LTI 1.3 platform standing in for Moodle or Canvas in Berth's tests.

The login initiation, the checks of Berth's authentication request and the
signed launch are made by lti1p3platform (an independent implementation of
the platform side, from PyPI); this file only wires its abstract classes to
a standard-library HTTP server. Adversarial launches (wrong audience,
foreign key, ...) take the library's launch message and sign it by hand.

    python platform.py --tool http://127.0.0.1:3000 --client-id C --deployment-id D

prints one JSON line (its URLs) and serves until killed:

    GET /start?user=U&role=learner|instructor&context=C&target=/path&module=M&lesson=L&scenario=S
        the LMS's link to the tool: redirects to Berth's /lti/login
    GET /start?user=U&role=instructor&deep_link=1&accept=ltiResourceLink,link
        an instructor adding the tool to the course: a deep linking launch
        (accept: the content item types the placement takes)
    GET /start?user=U&role=learner&context=C&link=N
        a launch of the Nth link made by deep linking: its URL, its custom
        parameters and its own line item (`/lineitems/link-N`)
    POST /deep_links   the deep linking return URL: Berth's signed answer
                       (form field JWT) validated by the library against
                       Berth's key set, and here for issuer, audience,
                       deployment and the request's data; the links kept
    GET /course?...    the same, as the LMS's course page a browser opens: it
                       posts the login initiation to Berth from a form
    GET /auth?...      the OIDC authorization endpoint Berth sends the browser
                       to: answers with the auto-submitting launch form
    GET /jwks          the platform's public key set
    POST /token        the OAuth2 token endpoint: a client-credentials grant
                       with a JWT assertion signed by Berth's key (checked by
                       the library against Berth's key set, and here for
                       issuer, subject, audience and a jti used once)
    POST /lineitems/M/scores
                       the AGS score service of module M's line item (the
                       library checks the bearer token); scores are recorded
    GET /received      what arrived: {"scores": [...], "tokens": N, "links": [...]}
    GET /outage?status=503
                       answer every token and score request with that
                       status from now on (status=0: serve again)
    GET /outage?status=403&once=score
                       answer only the next score request with that status
                       (the score is not recorded; tokens are served)
    GET /outage?status=503&on=members
                       answer every roster request with that status from
                       now on (status=0: serve again; tokens are served)
    POST /roster?context=C&per_page=N
                       the course's members (a JSON list of NRPS members),
                       served N to a page
    GET /contexts/C/memberships?page=P
                       NRPS: the course's members, page P; launches from
                       the course carry this address in their NRPS claim
"""

import argparse
import base64
import html
import json
import sys
import time
import typing as t
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlparse

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from lti1p3platform.membership import Context
from lti1p3platform.response import generate_next_link
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import AssignmentsGradesService, NamesRoleProvisioningService

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


def new_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_pem(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


class Platform(LTI1P3PlatformConfAbstract):
    """The registration of Berth on this platform."""

    def init_platform_config(self, **kwargs: t.Any) -> None:
        self.settings = kwargs

    def get_registration_by_params(self, **kwargs: t.Any) -> Registration:
        s = self.settings
        return (
            Registration()
            .set_iss(s["issuer"])
            .set_client_id(s["client_id"])
            .set_deployment_id(s["deployment_id"])
            .set_oidc_login_url(s["tool"] + "/lti/login")
            .set_launch_url(s["tool"] + "/lti/launch")
            .set_platform_private_key(s["private_key"])
            .set_platform_public_key(public_pem(s["private_key"]))
            .set_tool_key_set_url(s["tool"] + "/.well-known/jwks.json")
            .set_deeplink_launch_url(s["tool"] + "/lti/launch")
        )


class HttpRequest(Request):
    def build_metadata(self, request: t.Any) -> t.Any:
        return request


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs: t.Any) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class Launch(LTIAdvantageMessageLaunchAbstract):
    def render_launch_form(self, launch_data: t.Dict[str, t.Any], **kwargs: t.Any) -> str:
        fields = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(launch_data[name])}">'
            for name in ("id_token", "state")
        )
        action = html.escape(launch_data["launch_url"])
        return (
            "<!doctype html><html><body onload=\"document.forms[0].submit()\">"
            f'<form method="post" action="{action}">{fields}<button>Continue</button></form></body></html>'
        )


class Grades(AssignmentsGradesService):
    """The gradebook: only scores are posted by Berth; they are kept in order."""

    received: t.List[t.Dict[str, t.Any]] = []

    def update_score(self, line_item_id: str, score: t.Any) -> UpdateScoreStatus:
        self.received.append({"lineitem": line_item_id, **score})
        return UpdateScoreStatus.SUCCESS

    def unused(self, *a: t.Any, **k: t.Any) -> t.Any:
        raise NotImplementedError("Berth only posts scores")

    find_lineitems = find_lineitem = create_lineitem = unused
    update_lineitem = delete_lineitem = get_results = unused


class Members(NamesRoleProvisioningService):
    """A course's roster: the library checks the bearer token (signature,
    issuer, the membership scope) and makes the membership container. The
    glue pages it: the library pages only when asked for a `limit`, adds
    one to a `page` it leaves as text, and names the next page in the body
    where NRPS wants a `Link` header."""

    def __init__(self, request: Request, config: Platform, url: str, context: str, page: t.List[t.Any]) -> None:
        super().__init__(request, config, url)
        self.context_id = context
        self.page = page

    def get_context_by_id(self) -> Context:
        return Context(id=self.context_id, label=self.context_id, title="Course " + self.context_id)

    def get_member_data_page(self, **kwargs: t.Any) -> t.Any:
        return {"content": [dict(m) for m in self.page], "has_next": False, "next": None}


def encode_hint(params: t.Dict[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(params).encode()).decode()


def decode_hint(hint: str) -> t.Dict[str, str]:
    return json.loads(base64.urlsafe_b64decode(hint.encode()))


class Problem(Exception):
    """Berth's request is not what the OIDC launch flow requires."""


def check_auth_request(query: t.Dict[str, str], login_hint: str) -> None:
    expected = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "login_hint": login_hint,
    }
    for name, value in expected.items():
        if query.get(name) != value:
            raise Problem(f"{name} is {query.get(name)!r}, not {value!r}")


def make_server(args: argparse.Namespace) -> ThreadingHTTPServer:
    settings: t.Dict[str, t.Any] = {
        "tool": args.tool.rstrip("/"),
        "client_id": args.client_id,
        "deployment_id": args.deployment_id,
        "private_key": new_key(),
    }
    # Another platform's key, for tokens signed by a key not in this set.
    foreign_key = new_key()
    state: t.Dict[str, t.Any] = {
        "outage": 0,
        "refuse_score": 0,
        "members_outage": 0,
        "tokens": 0,
        "jtis": set(),
        "links": [],
        "rosters": {},
        "roster_pages": 0,
    }

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *a: t.Any) -> None:
            sys.stderr.write("platform: " + format % a + "\n")

        def send(
            self, status: int, body: str, content_type: str = "text/html", location: str = "", link: str = ""
        ) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            if location:
                self.send_header("Location", location)
            if link:
                self.send_header("Link", link)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = dict(parse_qsl(url.query))
            try:
                if url.path == "/jwks":
                    config = Platform(**settings)
                    config.get_registration()
                    self.send(200, json.dumps(config.get_jwks()), "application/json")
                elif url.path == "/start":
                    self.start(query)
                elif url.path == "/course":
                    self.course(query)
                elif url.path == "/auth":
                    self.auth(query)
                elif url.path == "/received":
                    body = {
                        "scores": Grades.received,
                        "tokens": state["tokens"],
                        "links": state["links"],
                        "roster_pages": state["roster_pages"],
                    }
                    self.send(200, json.dumps(body), "application/json")
                elif url.path.startswith("/contexts/") and url.path.endswith("/memberships"):
                    self.members(url.path, url.path.split("/")[2], query)
                elif url.path == "/outage":
                    if query.get("on") == "members":
                        key = "members_outage"
                    elif query.get("once") == "score":
                        key = "refuse_score"
                    else:
                        key = "outage"
                    state[key] = int(query.get("status", "0"))
                    self.send(200, "ok", "text/plain")
                else:
                    self.send(404, "not here")
            except Problem as problem:
                self.send(400, f"the platform refuses: {problem}", "text/plain")

        def do_POST(self) -> None:
            url = urlparse(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            if url.path == "/roster":
                query = dict(parse_qsl(url.query))
                state["rosters"][query["context"]] = (json.loads(body), int(query.get("per_page", "100")))
                self.send(200, "ok", "text/plain")
            elif state["outage"]:
                self.send(state["outage"], "the platform is down", "text/plain")
            elif url.path == "/token":
                self.token(dict(parse_qsl(body)))
            elif url.path == "/deep_links":
                self.deep_link_return(dict(parse_qsl(body)))
            elif url.path.startswith("/lineitems/") and url.path.endswith("/scores"):
                if state["refuse_score"]:
                    status, state["refuse_score"] = state["refuse_score"], 0
                    self.send(status, "this score is not accepted", "text/plain")
                else:
                    self.score(url.path.split("/")[2], body)
            else:
                self.send(404, "not here")

        def token(self, form: t.Dict[str, str]) -> None:
            """Berth's client-credentials grant: its assertion checked, a token made."""
            config = Platform(**settings)
            config.get_registration()
            base = settings["platform_base"]
            try:
                claims = config.tool_validate_and_decode(form.get("client_assertion", ""))
                for name, value in (("iss", args.client_id), ("sub", args.client_id), ("aud", base + "/token")):
                    if claims.get(name) != value and [value] != claims.get(name):
                        raise Problem(f"the assertion's {name} is {claims.get(name)!r}, not {value!r}")
                if claims.get("jti") in state["jtis"]:
                    raise Problem("the assertion's jti was used before")
                state["jtis"].add(claims.get("jti"))
                if form.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
                    raise Problem("client_assertion_type is not jwt-bearer")
                answer = config.get_access_token(form)
            except Exception as problem:  # the library raises several kinds
                self.send(400, json.dumps({"error": "invalid_grant", "error_description": str(problem)}), "application/json")
                return
            state["tokens"] += 1
            self.send(200, json.dumps(answer), "application/json")

        def deep_link_return(self, form: t.Dict[str, str]) -> None:
            """Berth's deep linking answer: the library validates the JWT
            with Berth's key set and the content item types; the claims the
            library leaves to the platform are checked here."""
            config = Platform(**settings)
            config.set_accepted_deeplinking_types(["ltiResourceLink"])
            config.get_registration()
            try:
                items = config.validate_deeplinking_resp(form)
                claims = config.tool_validate_and_decode(form["JWT"])
                expected = {
                    "iss": args.client_id,
                    "aud": settings["issuer"],
                    CLAIM + "deployment_id": args.deployment_id,
                    CLAIM + "version": "1.3.0",
                    "https://purl.imsglobal.org/spec/lti-dl/claim/data": state.get("dl_data"),
                }
                for name, value in expected.items():
                    if claims.get(name) != value and [value] != claims.get(name):
                        raise Problem(f"the answer's {name} is {claims.get(name)!r}, not {value!r}")
                if not claims.get("nonce"):
                    raise Problem("the answer has no nonce")
            except Exception as problem:  # the library raises several kinds
                self.send(400, f"the platform refuses the deep link: {problem}", "text/plain")
                return
            state["links"].extend(items)
            self.send(200, f"<!doctype html><p>Added {len(items)} activity</p>")

        def score(self, lineitem: str, body: str) -> None:
            """AGS: the library checks the token and hands the score over."""
            if self.headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
                self.send(415, "scores are application/vnd.ims.lis.v1.score+json", "text/plain")
                return
            request = HttpRequest(
                {"method": "POST", "headers": self.headers, "json": json.loads(body), "get_data": {}}
            )
            base = settings["platform_base"]
            service = Grades(request, Platform(**settings), base + "/lineitems", f"{base}/lineitems/{lineitem}")
            service.platform_config.get_registration()
            try:
                answer = service.handle_resp(service.handle_update_score, line_item_id=lineitem)
            except Exception as problem:  # a token that does not verify
                self.send(401, f"the token does not verify: {problem}", "text/plain")
                return
            self.send(answer.code, json.dumps({"message": answer.message}), "application/json")

        def members(self, path: str, context: str, query: t.Dict[str, str]) -> None:
            """NRPS: one page of the course's members, the next named in a
            `Link` header; the library checks the token and shapes it."""
            if state["members_outage"]:
                self.send(state["members_outage"], "the roster service is down", "text/plain")
                return
            if "application/vnd.ims.lti-nrps.v2.membershipcontainer+json" not in self.headers.get("Accept", ""):
                self.send(406, "ask for application/vnd.ims.lti-nrps.v2.membershipcontainer+json", "text/plain")
                return
            members, per_page = state["rosters"].get(context, ([], 100))
            page = int(query.get("page", "1"))
            content = members[(page - 1) * per_page : page * per_page]
            url = settings["platform_base"] + path
            request = HttpRequest({"method": "GET", "headers": self.headers, "get_data": {}})
            service = Members(request, Platform(**settings), url, context, content)
            service.platform_config.get_registration()
            try:
                answer = service.handle_resp(service.handle_get_members)
            except Exception as problem:  # a token that does not verify
                self.send(401, f"the token does not verify: {problem}", "text/plain")
                return
            if answer.code != 200:
                self.send(answer.code, json.dumps({"message": answer.message}), "application/json")
                return
            state["roster_pages"] += 1
            link = generate_next_link(f"{url}?page={page + 1}") if page * per_page < len(members) else ""
            self.send(200, json.dumps(answer.result), answer.media_type, link=link)

        def start(self, query: t.Dict[str, str]) -> None:
            """The LMS's activity link: OIDC third-party login initiation."""
            login = Login(HttpRequest({}), Platform(**settings))
            login.set_lti_message_hint(hint=encode_hint(query))
            login.set_launch_url(settings["tool"] + query.get("target", "/lti/launch"))
            self.send(302, "", location=login.initiate_login(query["user"]))

        def course(self, query: t.Dict[str, str]) -> None:
            """The LMS's course page opening the activity: it posts the login
            initiation to Berth, as Moodle does, from a form sent at once."""
            login = Login(HttpRequest({}), Platform(**settings))
            login.set_lti_message_hint(hint=encode_hint(query))
            login.set_launch_url(settings["tool"] + query.get("target", "/lti/launch"))
            target = urlparse(login.initiate_login(query["user"]))
            fields = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                for k, v in parse_qsl(target.query)
            )
            action = html.escape(target._replace(query="").geturl())
            self.send(
                200,
                '<!doctype html><html><body onload="document.forms[0].submit()">'
                f'<h1>Course 1</h1><form method="post" action="{action}">{fields}</form></body></html>',
            )

        def auth(self, query: t.Dict[str, str]) -> None:
            """Berth's authentication request: the signed launch, as a form."""
            hint = decode_hint(query.get("lti_message_hint", ""))
            check_auth_request(query, hint["user"])
            request = HttpRequest({"method": "GET", "get_data": query, "form_data": {}})
            launch = Launch(request, Platform(**settings))
            launch.set_launch_url(settings["tool"] + hint.get("target", "/lti/launch"))
            role = INSTRUCTOR if hint.get("role") == "instructor" else LEARNER
            launch.set_user_data(
                hint["user"],
                [role],
                full_name=hint.get("name"),
                email_address=hint.get("email"),
            )
            base = settings["platform_base"]
            if hint.get("deep_link"):
                # An instructor adding the tool: the library makes it a
                # deep linking request; `data` must come back unchanged.
                state["dl_data"] = "request-" + str(time.time_ns())
                accept = set(hint.get("accept", "ltiResourceLink,link").split(","))
                launch.set_dl(base + "/deep_links", title="Add an activity", accept_types=accept, extra_data=state["dl_data"])
            elif hint.get("link"):
                # A link deep linking made: its URL, custom parameters and
                # the line item the platform made from its lineItem.
                n = hint["link"]
                item = state["links"][int(n)]
                launch.set_launch_url(item["url"])
                launch.set_resource_link_claim("dl-" + n, title=item["title"])
                launch.set_custom_parameters_claim(item.get("custom", {}))
                if item.get("lineItem", {}).get("scoreMaximum"):
                    launch.set_ags(base + "/lineitems", f"{base}/lineitems/link-{n}", scores_service_enabled=True)
            else:
                launch.set_resource_link_claim("link-" + hint.get("module", "home"), title="Berth")
            if hint.get("context"):
                launch.set_launch_context_claim(
                    hint["context"], context_title=hint.get("context_title", "Course " + hint["context"])
                )
                # The course's roster service (NRPS).
                launch.set_nrps(f"{base}/contexts/{hint['context']}/memberships")
            if hint.get("module"):
                # A graded activity: the line item of the module's link.
                launch.set_ags(base + "/lineitems", base + "/lineitems/" + hint["module"], scores_service_enabled=True)
            custom = {k: hint[k] for k in ("module", "lesson") if k in hint}
            if custom:
                launch.set_custom_parameters_claim(custom)
            scenario = hint.get("scenario", "ok")
            if scenario == "ok":
                # The library checks Berth's request, signs and renders.
                self.send(200, launch.lti_launch())
                return
            data = self.tampered(launch, scenario)
            data["launch_url"] = query["redirect_uri"]
            self.send(200, launch.render_launch_form(data))

        def tampered(self, launch: Launch, scenario: str) -> t.Dict[str, str]:
            """The library's launch message, broken one way and signed by hand."""
            launch._registration = launch._platform_config.get_registration()
            launch.validate_preflight_response(launch.get_preflight_response())
            message, state = launch.get_launch_data()
            registration = launch._registration
            key = settings["private_key"]
            kid = registration.get_kid()
            expiration = 300
            if scenario == "wrong_audience":
                message["aud"] = "another-tool"
                message["azp"] = "another-tool"
            elif scenario == "expired":
                message["iat"] = int(time.time()) - 3600
                message["exp"] = int(time.time()) - 600
                expiration = None
            elif scenario == "unknown_deployment":
                message[CLAIM + "deployment_id"] = "not-registered"
            elif scenario == "unknown_kid":
                kid = "not-in-the-key-set"
            elif scenario == "foreign_key":
                key = foreign_key
            elif scenario == "wrong_issuer":
                message["iss"] = "https://another-platform.example"
            elif scenario == "wrong_nonce":
                message["nonce"] = "a-nonce-berth-never-gave"
            else:
                raise Problem(f"unknown scenario {scenario}")
            token = Registration.encode_and_sign(message, key, headers={"kid": kid}, expiration=expiration)
            return {"id_token": token, "state": state}

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings["issuer"] = args.issuer or base
    settings["platform_base"] = base
    print(
        json.dumps(
            {
                "issuer": settings["issuer"],
                "base": base,
                "auth_url": base + "/auth",
                "token_url": base + "/token",
                "jwks_url": base + "/jwks",
            }
        ),
        flush=True,
    )
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", required=True, help="Berth's address")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--deployment-id", required=True)
    parser.add_argument("--issuer", help="default: this platform's own address")
    make_server(parser.parse_args()).serve_forever()


if __name__ == "__main__":
    main()
