"""The Gradio Blocks: tabs, components, event handlers and the API endpoints. Imported only by
`build_app` (it imports gradio at the top, so `roleplay --help` must never import it).

Every handler reads the logged-in user from `gr.Request.username` and passes that `Viewer` to the engine,
whose store applies the access rules: hiding a tab is never the only protection.
"""

import secrets
import tempfile
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr

from ..errors import ModelError, RoleplayError
from . import _report, _views
from . import _texts as T
from ._auth import LOCAL_USER, Users
from ._engine import Live, Trainer
from ._storage import NotFound, Viewer

PRIVATE = "private"


class Ui:
    """The app for one Trainer; `build()` makes the Blocks."""

    def __init__(self, trainer: Trainer, users: Users | None) -> None:
        self.trainer = trainer
        self.users = users
        self.lib = trainer.library
        self.export_dir = Path(tempfile.gettempdir()) / "roleplay-exports"

    # --- who is asking --------------------------------------------------------------------------------
    def viewer(self, request: gr.Request | None) -> Viewer:
        if self.users is None:
            return LOCAL_USER
        name = getattr(request, "username", None) if request is not None else None
        v = self.users.viewer(name)
        if v is None:
            raise gr.Error("Je bent niet ingelogd.")
        return v

    def _live(self, viewer: Viewer, sid: int | None) -> Live | None:
        """The tab's session, or the user's open one when the tab lost it (a server restart)."""
        if sid is not None:
            try:
                return self.trainer.live(viewer, int(sid))
            except NotFound:
                return None
        return self.trainer.open_session(viewer)

    # --- exports --------------------------------------------------------------------------------------
    def export_text(self, viewer: Viewer, sid: int, fmt: str) -> tuple[str, str]:
        """(file name, content) of a session export this viewer may read."""
        stored = self.trainer.store.get(viewer, sid, turns=False)
        live = self.trainer.live(viewer, sid)
        transcript = live.session.to_transcript()
        meta = {"id": sid, "user": stored.user, "started": _views.local_time(stored.started),
                "ended": _views.local_time(stored.ended), "customer": ", ".join(live.session.backends_used),
                "outcome": T.OUTCOME_NL.get(stored.outcome or "", stored.outcome or "")}
        text = _report.render(fmt, transcript, live.persona, self.lib, self.trainer.scorecard(viewer, sid), meta,
                              live.reflection)
        return f"gesprek-{sid}-{live.persona.id}{_report.SUFFIX[fmt]}", text

    def export_files(self, viewer: Viewer, sid: int) -> list[str]:
        folder = self.export_dir / secrets.token_hex(8)  # unguessable: one folder per download
        folder.mkdir(parents=True, exist_ok=True)
        out = []
        for fmt in _report.FORMATS:
            name, text = self.export_text(viewer, sid, fmt)
            path = folder / name
            path.write_text(text, encoding="utf-8")
            out.append(str(path))
        return out

    # --- one view of the practice tab ------------------------------------------------------------------
    def practice_view(self, c: dict[str, Any], viewer: Viewer, live: Live | None,
                      status: str = "") -> dict[Any, Any]:
        """Updates for every practice component, from the session's state."""
        hide = {c["talk_col"]: gr.Column(visible=False), c["result_col"]: gr.Column(visible=False),
                c["choose_col"]: gr.Column(visible=True)}
        if live is None or (live.closed and live.result is None):
            return {**hide, c["sid"]: None, c["status"]: status, c["err_row"]: gr.Row(visible=False)}
        s = live.session
        base = {c["sid"]: live.id, c["brief"]: _views.briefing(live.persona), c["choose_col"]: gr.Column(visible=False)}
        if live.result is not None:
            card = self.trainer.scorecard(viewer, live.id)
            html = _views.scorecard_html(card, s.to_transcript(), self.lib, live.result.get("nps")) if card else ""
            files = self.export_files(viewer, live.id)
            refl = self.trainer.needs_reflection(live)
            saved = live.reflection or {}
            out = {**base, c["talk_col"]: gr.Column(visible=False), c["result_col"]: gr.Column(visible=True),
                   c["result"]: (f'<div class="rp rp-warn">{escape(status)}</div>' if status else "") + html,
                   c["refl_col"]: gr.Column(visible=refl),
                   c["refl_status"]: T.REFLECTION_SAVED if saved else ""}
            for (key, _, _), box in zip(T.REFLECTION_QUESTIONS, c["refl_boxes"], strict=True):
                out[box] = saved.get(key, "")
            for btn, path in zip(c["downloads"], files, strict=True):
                out[btn] = gr.DownloadButton(value=path, visible=True)
            return out
        failed = live.error is not None or s.pending
        if failed and not status:
            status = T.MODEL_FAILED.format(error=live.error) if live.error else T.PENDING_AFTER_RESUME
        if not s.turns and live.persona.opens == "trainee" and not status:
            status = T.YOUR_TURN_FIRST
        return {**base, c["talk_col"]: gr.Column(visible=True), c["result_col"]: gr.Column(visible=False),
                c["chat"]: _views.chat_messages(s.turns, live.partial if failed else "", failed=bool(live.error)),
                c["status"]: status, c["err_row"]: gr.Row(visible=failed)}

    # --- building -------------------------------------------------------------------------------------
    def build(self) -> gr.Blocks:
        lib, tr = self.lib, self.trainer
        with gr.Blocks(title=T.TITLE, analytics_enabled=False) as demo:
            sid = gr.State(None)
            gr.Markdown(f"# {T.TITLE}")
            notice = gr.Markdown(tr.settings.notice, elem_id="rp-notice")
            c: dict[str, Any] = {"sid": sid}
            with gr.Tabs():
                with gr.Tab(T.TAB_PRACTICE, id="practice"):
                    with gr.Column(visible=True) as c["choose_col"]:
                        gr.Markdown(T.CHOOSE)
                        starts = []
                        with gr.Row(equal_height=True):
                            for p in tr.personas():
                                with gr.Column(min_width=260):
                                    gr.HTML(_views.persona_card(p, lib))
                                    starts.append((p.id, gr.Button(T.START, variant="primary",
                                                                   elem_id=f"start-{p.id}")))
                    with gr.Column(visible=False) as c["talk_col"]:
                        c["brief"] = gr.Markdown(elem_id="rp-brief")
                        c["chat"] = gr.Chatbot(label=T.SESSION, show_label=False, height=440, elem_id="rp-chat",
                                               feedback_options=None, group_consecutive_messages=False,
                                               buttons=["copy_all"])
                        c["status"] = gr.Markdown(elem_id="rp-status")
                        with gr.Row():
                            c["box"] = gr.Textbox(placeholder=T.PLACEHOLDER, show_label=False, scale=6,
                                                  elem_id="rp-input", autofocus=True)
                            send_btn = gr.Button(T.SEND, variant="primary", scale=1, elem_id="rp-send")
                        with gr.Row(visible=False) as c["err_row"]:
                            retry_btn = gr.Button(T.RETRY, elem_id="rp-retry")
                            scripted_btn = gr.Button(T.USE_SCRIPTED, elem_id="rp-scripted")
                        end_btn = gr.Button(T.END_CALL, variant="stop", elem_id="rp-end")
                    with gr.Column(visible=False) as c["result_col"]:
                        c["result"] = gr.HTML(elem_id="rp-result")
                        with gr.Column(visible=False) as c["refl_col"]:
                            gr.Markdown(f"### {T.REFLECTION_TITLE}\n\n{T.REFLECTION_INTRO}")
                            c["refl_boxes"] = [gr.Textbox(label=title, info=q, lines=2, elem_id=f"rp-refl-{key}")
                                               for key, title, q in T.REFLECTION_QUESTIONS]
                            refl_btn = gr.Button(T.REFLECTION_SAVE, elem_id="rp-refl-save")
                            c["refl_status"] = gr.Markdown()
                        with gr.Row():
                            c["downloads"] = [gr.DownloadButton(label, visible=False, elem_id=f"rp-dl-{fmt}")
                                              for label, fmt in ((T.DOWNLOAD_YAML, "yaml"), (T.DOWNLOAD_MD, "md"),
                                                                 (T.DOWNLOAD_HTML, "html"))]
                        new_btn = gr.Button(T.NEW_CALL, elem_id="rp-new")
                with gr.Tab(T.TAB_HISTORY, id="history") as hist_tab:
                    hist_table = gr.HTML(elem_id="rp-history")
                    with gr.Row():
                        hist_pick = gr.Dropdown(label=T.SESSION, choices=[], scale=4)
                        hist_show = gr.Button(T.SHOW, scale=1)
                    hist_detail = gr.HTML()
                    with gr.Row():
                        hist_dl = [gr.DownloadButton(label, visible=False)
                                   for label in (T.DOWNLOAD_YAML, T.DOWNLOAD_MD, T.DOWNLOAD_HTML)]
                with gr.Tab(T.TAB_PROGRESS, id="progress") as prog_tab:
                    prog_user = gr.Dropdown(label=T.USER, choices=[], visible=False)
                    prog_plot = gr.HTML(elem_id="rp-progress")
                    prog_nps = gr.HTML(elem_id="rp-nps")
                with gr.Tab(T.TAB_INSTRUCTOR, id="instructor", visible=False) as ins_tab:
                    with gr.Row():
                        ins_pick = gr.Dropdown(label=T.SESSION, choices=[], scale=4)
                        ins_show = gr.Button(T.SHOW, scale=1)
                    ins_head = gr.Markdown()
                    ins_mood = gr.HTML(elem_id="rp-mood")
                    ins_trace = gr.HTML()
                    ins_prompts = gr.Markdown()
                    ins_state = gr.JSON(label="Toestand van de persona")

            practice = [sid, c["choose_col"], c["talk_col"], c["result_col"], c["brief"], c["chat"], c["status"],
                        c["box"], c["err_row"], c["result"], c["refl_col"], *c["refl_boxes"], c["refl_status"],
                        *c["downloads"]]

            # --- load: who is this, and is there an open session to resume? ---
            def on_load(request: gr.Request) -> dict[Any, Any]:
                viewer = self.viewer(request)
                live = tr.open_session(viewer)
                who = (f"Ingelogd als **{viewer.name}** ({viewer.role})." if self.users else T.LOCAL_NOTICE)
                status = T.RESUMED if live is not None and live.session.turns else ""
                out = self.practice_view(c, viewer, live, status)
                out[notice] = f"{tr.settings.notice}\n\n{who}"
                out[ins_tab] = gr.Tab(visible=viewer.is_instructor)
                return out

            demo.load(on_load, None, [*practice, notice, ins_tab], api_visibility=PRIVATE)

            # --- start ---
            def starter(persona_id: str) -> Any:
                def on_start(request: gr.Request) -> dict[Any, Any]:
                    viewer = self.viewer(request)
                    try:
                        live = tr.start(viewer, persona_id)
                    except RoleplayError as exc:
                        return {c["status"]: str(exc)}
                    warning = live.session.warnings[0] if live.session.warnings else ""
                    return self.practice_view(c, viewer, live, warning)
                return on_start

            for pid, btn in starts:
                btn.click(starter(pid), None, practice, api_visibility=PRIVATE)

            # --- send (streamed) ---
            def on_send(text: str, current: int | None, request: gr.Request) -> Any:
                viewer = self.viewer(request)
                live = self._live(viewer, current)
                if live is None:
                    yield self.practice_view(c, viewer, None, T.NO_SESSION)
                    return
                if not (text or "").strip():
                    yield {c["status"]: T.EMPTY_TURN}
                    return
                msgs = _views.chat_messages(live.session.turns)
                msgs += [{"role": "user", "content": text.strip()}, {"role": "assistant", "content": ""}]
                yield {sid: live.id, c["chat"]: msgs, c["box"]: "", c["status"]: ""}
                reply = ""
                try:
                    for chunk in tr.send(viewer, live.id, text):
                        reply += chunk
                        msgs[-1]["content"] = reply
                        yield {c["chat"]: msgs}
                except ModelError:
                    yield self.practice_view(c, viewer, live)
                    return
                except RoleplayError as exc:  # not accepted: give the text back, nothing is lost
                    yield {**self.practice_view(c, viewer, live, str(exc)), c["box"]: text}
                    return
                yield self._after_reply(c, viewer, live)

            for trigger in (send_btn.click, c["box"].submit):  # a send during a reply runs after it
                trigger(on_send, [c["box"], sid], practice, api_visibility=PRIVATE, trigger_mode="always_last")

            def on_retry(current: int | None, request: gr.Request) -> dict[Any, Any]:
                return self._recover(c, request, current, scripted=False)

            def on_scripted(current: int | None, request: gr.Request) -> dict[Any, Any]:
                return self._recover(c, request, current, scripted=True)

            def on_clear(current: int | None, request: gr.Request) -> Any:  # the chat's bin: show it all again
                live = self._live(self.viewer(request), current)
                return _views.chat_messages(live.session.turns) if live else []

            c["chat"].clear(on_clear, [sid], [c["chat"]], api_visibility=PRIVATE)
            retry_btn.click(on_retry, [sid], practice, api_visibility=PRIVATE)
            scripted_btn.click(on_scripted, [sid], practice, api_visibility=PRIVATE)

            # --- end ---
            def on_end(current: int | None, request: gr.Request) -> dict[Any, Any]:
                viewer = self.viewer(request)
                live = self._live(viewer, current)
                if live is None:
                    return self.practice_view(c, viewer, None, T.NO_SESSION)
                try:
                    tr.finish(viewer, live.id)
                except RoleplayError as exc:
                    return self.practice_view(c, viewer, live, str(exc))
                return self.practice_view(c, viewer, live)

            end_btn.click(on_end, [sid], practice, api_visibility=PRIVATE)

            def on_new(request: gr.Request) -> dict[Any, Any]:
                return self.practice_view(c, self.viewer(request), None)

            new_btn.click(on_new, None, practice, api_visibility=PRIVATE)

            def on_reflect(current: int | None, a: str, b: str, d: str, request: gr.Request) -> dict[Any, Any]:
                viewer = self.viewer(request)
                keys = [k for k, _, _ in T.REFLECTION_QUESTIONS]
                try:
                    tr.reflect(viewer, int(current or 0), dict(zip(keys, (a, b, d), strict=True)))
                except (RoleplayError, ValueError) as exc:
                    return {c["refl_status"]: str(exc)}
                files = self.export_files(viewer, int(current or 0))
                return {c["refl_status"]: T.REFLECTION_SAVED,
                        **{btn: gr.DownloadButton(value=p, visible=True)
                           for btn, p in zip(c["downloads"], files, strict=True)}}

            refl_btn.click(on_reflect, [sid, *c["refl_boxes"]], [c["refl_status"], *c["downloads"]],
                           api_visibility=PRIVATE)

            # --- history ---
            def on_history(request: gr.Request) -> tuple[Any, ...]:
                viewer = self.viewer(request)
                rows = tr.store.sessions(viewer)
                choices = [(_views.session_label(s, lib, viewer.is_instructor), s.id) for s in rows]
                return (_views.history_html(rows, lib, viewer.is_instructor),
                        gr.Dropdown(choices=choices, value=choices[0][1] if choices else None))

            hist_tab.select(on_history, None, [hist_table, hist_pick], api_visibility=PRIVATE)

            def on_history_show(pick: int | None, request: gr.Request) -> tuple[Any, ...]:
                viewer = self.viewer(request)
                if pick is None:
                    return ("", *[gr.DownloadButton(visible=False)] * 3)
                try:
                    live = tr.live(viewer, int(pick))
                except NotFound:
                    return (T.NOT_FOUND, *[gr.DownloadButton(visible=False)] * 3)
                card = tr.scorecard(viewer, live.id)
                transcript = live.session.to_transcript()
                html = (_views.scorecard_html(card, transcript, lib, transcript.nps) if card else
                        f'<div class="rp rp-result">{_views.transcript_html(transcript)}</div>')
                files = self.export_files(viewer, live.id)
                return (html, *[gr.DownloadButton(value=p, visible=True) for p in files])

            hist_show.click(on_history_show, [hist_pick], [hist_detail, *hist_dl], api_visibility=PRIVATE)

            # --- progress ---
            def on_progress(user: str | None, request: gr.Request) -> tuple[Any, ...]:
                viewer = self.viewer(request)
                who = None if not user or user == T.ALL_USERS else user
                prog = tr.store.progress(viewer, who if viewer.is_instructor else None)
                users = [T.ALL_USERS, *tr.store.users(viewer)] if viewer.is_instructor else []
                return (_views.progress_svg(prog, lib), _views.nps_summary(prog),
                        gr.Dropdown(choices=users, value=user or (T.ALL_USERS if users else None),
                                    visible=viewer.is_instructor))

            prog_tab.select(on_progress, [prog_user], [prog_plot, prog_nps, prog_user], api_visibility=PRIVATE)
            prog_user.input(on_progress, [prog_user], [prog_plot, prog_nps, prog_user], api_visibility=PRIVATE)

            # --- instructor ---
            def on_ins_tab(current: int | None, request: gr.Request) -> Any:
                viewer = self.viewer(request)
                if not viewer.is_instructor:
                    return gr.Dropdown(choices=[])
                rows = tr.store.sessions(viewer, limit=200)
                choices = [(_views.session_label(s, lib, True), s.id) for s in rows]
                value = current if current is not None else (choices[0][1] if choices else None)
                return gr.Dropdown(choices=choices, value=value)

            ins_select = ins_tab.select(on_ins_tab, [sid], [ins_pick], api_visibility=PRIVATE)

            def on_inspect(pick: int | None, request: gr.Request) -> tuple[Any, ...]:
                viewer = self.viewer(request)
                if pick is None:
                    return (T.NO_SESSION, "", "", "", None)
                try:
                    info = tr.inspect(viewer, int(pick))
                except NotFound:
                    return (T.NOT_FOUND, "", "", "", None)
                return self._inspect_view(info)

            for trigger in (ins_show.click, ins_pick.input, ins_select.then):
                trigger(on_inspect, [ins_pick], [ins_head, ins_mood, ins_trace, ins_prompts, ins_state],
                        api_visibility=PRIVATE)

            self._api()
        demo.queue(default_concurrency_limit=None)
        return demo  # type: ignore[no-any-return]

    def _after_reply(self, c: dict[str, Any], viewer: Viewer, live: Live) -> dict[Any, Any]:
        """After a complete reply: go on, or show the result when the customer ended the call."""
        if live.session.ended and not live.session.pending:
            try:
                self.trainer.finish(viewer, live.id)
            except RoleplayError as exc:
                return self.practice_view(c, viewer, live, str(exc))
            return self.practice_view(c, viewer, live, T.CUSTOMER_ENDED)
        return self.practice_view(c, viewer, live)

    def _recover(self, c: dict[str, Any], request: gr.Request, current: int | None, *,
                 scripted: bool) -> dict[Any, Any]:
        viewer = self.viewer(request)
        live = self._live(viewer, current)
        if live is None:
            return self.practice_view(c, viewer, None, T.NO_SESSION)
        try:
            if scripted:
                self.trainer.use_scripted(viewer, live.id)
            else:
                self.trainer.retry(viewer, live.id)
        except ModelError:
            return self.practice_view(c, viewer, live)
        except RoleplayError as exc:
            return self.practice_view(c, viewer, live, str(exc))
        return self._after_reply(c, viewer, live)

    def _inspect_view(self, info: dict[str, Any]) -> tuple[Any, ...]:
        persona = self.lib.personas.get(info["persona"])
        title = persona.title if persona else info["persona"]
        head = (f"### #{info['session']} · {info['user']} · {title}\n\nKlant: **{info['customer']}**"
                f"{' (' + info['model'] + ')' if info['model'] else ''} · gebruikt: {', '.join(info['backends_used'])}"
                f" · stemming nu: **{info['mood']}/10** ({info['state']['band']}) · fase: {info['state']['stage']}")
        if info["warnings"]:
            head += "\n\n" + "\n".join(f"> {w}" for w in info["warnings"])
        mood = f'<div class="rp">{_views.mood_svg(info["trace"], info["start_mood"])}</div>'
        trace = f'<div class="rp">{_views.trace_table(info["trace"])}</div>'
        prompts = info["prompts"]
        if prompts is None:
            text = T.SCRIPTED_ACTIVE
        elif not prompts:
            text = T.NO_PROMPT_EXPOSED
        else:
            text = "\n\n".join(f"#### {k}\n\n```text\n{v}\n```" for k, v in prompts.items())
        state = {**info["state"], "laatste_beurt": info["last_turn"]}
        state.pop("trace", None)
        return head, mood, trace, text, state

    # --- API endpoints (gradio_client) ---------------------------------------------------------------------
    def _api(self) -> None:
        tr = self.trainer

        def guard(fn: Any) -> Any:
            try:
                return fn()
            except NotFound:
                raise gr.Error(T.NOT_FOUND) from None
            except RoleplayError as exc:
                raise gr.Error(str(exc)) from None

        def session_dict(viewer: Viewer, live: Live) -> dict[str, Any]:
            s = live.session
            return {"session": live.id, "user": live.owner.name, "persona": s.persona.id, "opens": s.persona.opens,
                    "turns": [t.model_dump(mode="json", exclude_none=True) for t in s.turns],
                    "mood": s.mood, "ended": s.ended, "pending": s.pending, "closed": live.closed,
                    "error": live.error, "customer": s.backend.name, "result": live.result,
                    "reflection": live.reflection, "reflection_needed": self.trainer.needs_reflection(live)}

        def personas() -> list[dict[str, Any]]:
            """The scenarios: id, title, summary, difficulty, who opens, checklists."""
            return [{"id": p.id, "title": p.title, "summary": p.summary, "difficulty": p.difficulty,
                     "opens": p.opens, "checklists": p.checklists} for p in tr.personas()]

        def start(persona: str, request: gr.Request) -> dict[str, Any]:
            """Start a conversation with a persona; returns the session with the customer's opening."""
            viewer = self.viewer(request)
            return guard(lambda: session_dict(viewer, tr.start(viewer, persona)))  # type: ignore[no-any-return]

        def send(session: int, text: str, request: gr.Request) -> dict[str, Any]:
            """A trainee turn; returns the customer's reply (or the model error) and the session."""
            viewer = self.viewer(request)

            def run() -> dict[str, Any]:
                live = tr.live(viewer, int(session))
                try:
                    reply = "".join(tr.send(viewer, live.id, text))
                except ModelError as exc:
                    return {"reply": None, "error": str(exc), **session_dict(viewer, live)}
                return {"reply": reply, **session_dict(viewer, live)}

            return guard(run)  # type: ignore[no-any-return]

        def retry(session: int, request: gr.Request) -> dict[str, Any]:
            """Ask the customer again for the reply to the pending trainee turn."""
            viewer = self.viewer(request)

            def run() -> dict[str, Any]:
                live = tr.live(viewer, int(session))
                try:
                    return {"reply": tr.retry(viewer, live.id), **session_dict(viewer, live)}
                except ModelError as exc:
                    return {"reply": None, "error": str(exc), **session_dict(viewer, live)}

            return guard(run)  # type: ignore[no-any-return]

        def use_scripted(session: int, request: gr.Request) -> dict[str, Any]:
            """Go on with the scripted customer (it answers a pending trainee turn)."""
            viewer = self.viewer(request)

            def run() -> dict[str, Any]:
                live = tr.live(viewer, int(session))
                return {"reply": tr.use_scripted(viewer, live.id), **session_dict(viewer, live)}

            return guard(run)  # type: ignore[no-any-return]

        def end(session: int, request: gr.Request) -> dict[str, Any]:
            """End the conversation: the customer's NPS answer and the scorecard."""
            viewer = self.viewer(request)

            def run() -> dict[str, Any]:
                result = tr.finish(viewer, int(session))
                live = tr.live(viewer, int(session))
                return {**result, "reflection_needed": tr.needs_reflection(live)}

            return guard(run)  # type: ignore[no-any-return]

        def get_session(session: int, request: gr.Request) -> dict[str, Any]:
            """One session you may see: turns, state, result."""
            viewer = self.viewer(request)
            return guard(lambda: session_dict(viewer, tr.live(viewer, int(session))))  # type: ignore[no-any-return]

        def open_session(request: gr.Request) -> dict[str, Any]:
            """Your unfinished session (to resume after a refresh or restart); {} when there is none."""
            viewer = self.viewer(request)
            live = guard(lambda: tr.open_session(viewer))
            return {} if live is None else session_dict(viewer, live)

        def sessions(request: gr.Request) -> list[dict[str, Any]]:
            """The sessions you may see (an instructor: everyone's), newest first."""
            viewer = self.viewer(request)
            return [{"session": s.id, "user": s.user, "persona": s.persona, "started": s.started.isoformat(),
                     "ended": s.ended.isoformat() if s.ended else None, "status": _views.status_of(s),
                     "turns": s.turn_count, "score": s.score, "nps": s.nps.score if s.nps else None}
                    for s in tr.store.sessions(viewer)]

        def progress(user: str, request: gr.Request) -> dict[str, Any]:
            """Subscores per checklist over time and the NPS (instructors may name a user)."""
            viewer = self.viewer(request)
            prog = tr.store.progress(viewer, (user or None) if viewer.is_instructor else None)
            return {"nps": prog.nps, "promoters": prog.promoters, "passives": prog.passives,
                    "detractors": prog.detractors,
                    "checklists": {cid: [{"session": sid, "when": w.isoformat(), "score": v} for w, sid, v in pts]
                                   for cid, pts in prog.points.items()}}

        def reflect(session: int, tot_jezelf_komen: str, sterke_punten: str, mensen_die_je_waarderen: str,
                    request: gr.Request) -> dict[str, Any]:
            """Save the reflection exercise after a rejected cold call."""
            viewer = self.viewer(request)
            answers = {"tot_jezelf_komen": tot_jezelf_komen, "sterke_punten": sterke_punten,
                       "mensen_die_je_waarderen": mensen_die_je_waarderen}
            return guard(lambda: tr.reflect(viewer, int(session), answers))  # type: ignore[no-any-return]

        def export(session: int, format: str, request: gr.Request) -> str:
            """A session as a transcript (yaml) or report (markdown, html)."""
            viewer = self.viewer(request)
            if format not in _report.FORMATS:
                raise gr.Error(f"Onbekend formaat '{format}' (kies uit: {', '.join(_report.FORMATS)}).")
            return guard(lambda: self.export_text(viewer, int(session), format)[1])  # type: ignore[no-any-return]

        def inspect(session: int, request: gr.Request) -> dict[str, Any]:
            """Instructors: mood trace, persona state and prompts of a session."""
            viewer = self.viewer(request)
            return guard(lambda: tr.inspect(viewer, int(session)))  # type: ignore[no-any-return]

        for fn, name in ((personas, "personas"), (start, "start"), (send, "send"), (retry, "retry"),
                         (use_scripted, "use_scripted"), (end, "end"), (get_session, "session"),
                         (open_session, "open_session"), (sessions, "sessions"), (progress, "progress"),
                         (reflect, "reflect"), (export, "export"), (inspect, "inspect")):
            gr.api(fn, api_name=name, concurrency_limit=None)  # type: ignore[attr-defined]
