"""The **Course experiments** picker of the pages that run experiments, and the figures.

A page passes a function that puts an experiment's settings into its own widgets (through the
session-state keys those widgets use); the picker calls it from a button's callback (before
the widgets are drawn again) or once when the page is opened with ``?course=<key>`` (Home's
links). The experiment set up last is the page's *active* one: its figures are shown beside
the run's when the run ends (:func:`figures_beside_ours`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import streamlit as st
from streamlit.errors import StreamlitAPIException

from cnnviz import courses
from cnnviz.courses.compare import beside, why_they_differ
from cnnviz.errors import InputError
from cnnviz.ui.common.text import plain

QUERY = "course"
Apply = Callable[[courses.Experiment], list[str]]


def _label(exp: courses.Experiment) -> str:
    return f"{exp.course_title} · {exp.title}"


def _set_up(page: str, exp: courses.Experiment, apply: Apply) -> None:
    state = st.session_state
    try:
        problems = list(apply(exp))
    except InputError as err:
        problems = [str(err)]
    state[f"{page}_course"] = exp.key
    state[f"{page}_course_problems"] = problems


def _picked(page: str, apply: Apply) -> None:
    _set_up(page, courses.get(st.session_state[f"{page}_course_pick"]), apply)


def _from_link(page: str, apply: Apply) -> None:
    key = st.query_params.get(QUERY)
    state = st.session_state
    if not key or state.get(f"{page}_course_link") == key:
        return
    state[f"{page}_course_link"] = key
    try:
        exp = courses.get(key)
    except InputError as err:
        st.warning(str(err), icon=":material/link_off:")
        return
    if exp.page != page:
        return
    state[f"{page}_course_pick"] = exp.key
    _set_up(page, exp, apply)


def active(page: str) -> courses.Experiment | None:
    """The experiment set up last on ``page``, or None."""
    key = st.session_state.get(f"{page}_course")
    return courses.get(key) if key in courses.REGISTRY else None


def course_picker(page: str, apply: Apply) -> courses.Experiment | None:
    """The page's **Course experiments** (call before the widgets ``apply`` sets).

    Args:
        page: the page's key (``"train"``); its experiments are ``courses.available(page=)``.
        apply: puts an experiment's settings into the page's widgets; returns what it could
            not set, one short sentence each.

    Returns:
        The active experiment, or None.
    """
    experiments = courses.available(page=page)
    if not experiments:
        return None
    _from_link(page, apply)
    exp = active(page)
    with st.expander("Course experiments", icon=":material/school:", expanded=exp is not None):
        st.caption(
            "Redo an experiment of the courses with their own settings: pick it, press "
            "**Set up**, then train. The course's printed numbers are shown beside yours."
        )
        st.selectbox(
            "Course experiment",
            [e.key for e in experiments],
            format_func=lambda k: _label(courses.get(k)),
            key=f"{page}_course_pick",
        )
        st.button(
            "Set up this experiment",
            key=f"{page}_course_apply",
            icon=":material/tune:",
            on_click=_picked,
            args=(page, apply),
        )
        if exp is not None:
            printed = ", ".join(f.words for f in exp.figures) or "no printed figure"
            st.caption(plain(f"Set up: {_label(exp)}. {exp.help} The course: {exp.source}"))
            st.caption(plain(f"The course printed: {printed}."))
            for problem in st.session_state.get(f"{page}_course_problems", []):
                st.warning(plain(problem), icon=":material/info:")
    return exp


def job_results_beside_the_course(
    job, page: str, params: Mapping[str, int], network: str | None
) -> None:
    """The active experiment's printed figures beside a finished training job's, if any.

    Args:
        job: a finished :class:`cnnviz.training.TrainingJob` (anything else: nothing shown).
        page: the page key whose picker chose the experiment.
        params: this run's parameter counts (``params_total`` and, where known,
            ``params_trainable`` / ``params_non_trainable``).
        network: this run's architecture key or transfer base (None: not comparable).
    """
    exp = active(page)
    if exp is None or job.result is None:
        return
    history = {k: list(v) for k, v in (getattr(job, "history", None) or {}).items()}
    ours = {k: v[-1] for k, v in history.items() if v}
    ours["test_accuracy"] = job.result.test_accuracy
    ours["test_loss"] = job.result.test_loss
    ours.update(params)
    figures_beside_ours(
        exp,
        ours,
        history,
        job.dataset.name,
        len(job.dataset.x_train),
        job.result.epochs_run,
        network=network,
    )


def figures_beside_ours(
    exp: courses.Experiment,
    ours: Mapping[str, float],
    history: Mapping[str, Sequence[float]] | None,
    dataset: str,
    train_images: int,
    epochs: int,
    network: str | None = None,
) -> None:
    """The course's printed figures beside this run's, and one sentence on why they differ.

    ``network`` is this run's architecture key or transfer base (see
    :func:`cnnviz.courses.why_they_differ`).
    """
    st.markdown(f"**The course's figures beside ours** · {plain(_label(exp))}")
    rows = beside(exp, ours, history)
    if rows:
        st.table(
            {
                "": [r.what for r in rows],
                "The course": [r.course for r in rows],
                "This run": [r.ours for r in rows],
            }
        )
    else:
        st.caption("The course printed no figure for this experiment.")
    st.caption(plain(why_they_differ(exp, dataset, train_images, epochs, network=network)))


def course_links_ui() -> None:
    """Every experiment by course, each a link that opens its page set up (Home)."""
    from cnnviz.ui.common.navigation import PAGES

    st.subheader("Your course's experiments, one click away")
    st.caption(
        "Each link opens the page with the course's own dataset, network and settings; "
        "after the run the course's printed numbers are shown beside yours."
    )
    for course, title in courses.COURSES.items():
        experiments = courses.available(course=course)
        with st.expander(f"{title} ({len(experiments)})", icon=":material/school:"):
            for exp in experiments:
                spec = PAGES.get(exp.page)
                printed = "; ".join(f.words for f in exp.figures)
                try:
                    st.page_link(
                        spec.path,
                        label=f"{exp.title} · {spec.title}",
                        icon=f":material/{spec.icon}:",
                        query_params={QUERY: exp.key},
                    )
                except StreamlitAPIException:  # the page is not in the navigation
                    st.markdown(f"**{plain(exp.title)}** · {plain(spec.title)}")
                st.caption(
                    plain(exp.help + (f" The course printed: {printed}." if printed else ""))
                )


#: Pages whose widgets a picker sets (the others show a note about the experiment).
PICKER_PAGES = frozenset({"train", "autoencoder", "transfer"})


def course_note(url_path: str) -> None:
    """A note naming the course experiment a page without a picker was opened for.

    Home's links carry ``?course=<key>``; app.py calls this before the page runs.
    """
    from cnnviz.ui.common.navigation import PAGES

    key = st.query_params.get(QUERY)
    if not key or key not in courses.REGISTRY:
        return
    exp = courses.get(key)
    spec = PAGES.get(exp.page)
    if exp.page in PICKER_PAGES or spec.url != url_path:
        return
    st.info(
        plain(f"Course experiment · {_label(exp)}. {exp.help} The course: {exp.source}"),
        icon=":material/school:",
    )
