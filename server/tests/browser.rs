//! End to end in headless Chromium: the catalog, a lesson, hydration and the
//! diagram. Needs the browser bundle (`cargo xtask test` builds it) and
//! Debian's `chromium` and `chromium-driver`.

mod common;

use common::browser::{
    Driver, TERMINAL_TEXT, assert_no_panics, browser_log, check_exercise, click, hydrated, open_lab, screenshot_path,
    stop_lab, type_in_terminal, wait_in_terminal, wait_true, wait_true_for,
};
use common::{TestApp, TestDb, built_site};
use fantoccini::{Client, Locator};
use serde_json::json;
use std::time::Duration;

/// Brings the lesson's first diagram into view (diagrams are drawn when
/// seen); true once it is drawn.
const DIAGRAM_DRAWN: &str = "document.querySelector('.prose pre.mermaid')?.scrollIntoView(); \
    return !!document.querySelector('.prose pre.mermaid svg')";

/// The bundled course on SQLite, with the built front end.
async fn bundled_course_app() -> TestApp {
    TestApp::builder()
        .db(TestDb::sqlite())
        .site(&built_site())
        .spawn()
        .await
}

/// A browser with JavaScript, signed up as `email` and signed in.
async fn signed_up_browser(driver: &Driver, app: &TestApp, email: &str) -> Client {
    let b = driver.browser(true).await;
    b.goto(&format!("{}/signup", app.base)).await.unwrap();
    sign_up(&b, email).await;
    b.wait().for_element(Locator::Css(".account-email")).await.unwrap();
    b
}

/// Fills in the sign-up form the browser shows and sends it.
async fn sign_up(b: &Client, email: &str) {
    let email_field = b
        .wait()
        .for_element(Locator::Css(r#"input[name="email"]"#))
        .await
        .unwrap();
    email_field.send_keys(email).await.unwrap();
    b.find(Locator::Css(r#"input[name="password"]"#))
        .await
        .unwrap()
        .send_keys("quiet orchard lamp 19")
        .await
        .unwrap();
    click(b, r#".auth-card button[type="submit"]"#).await;
}

/// A bundled quiz's right answers, as the form asks for them: per question
/// its field name, kind, and the option texts (or typed answer) that are right.
fn quiz_key(module_dir: &str) -> Vec<serde_json::Value> {
    let path = common::workspace()
        .join("content/modules")
        .join(module_dir)
        .join("quiz.toml");
    let quiz: toml::Value = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let text = |v: &toml::Value| match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    quiz["question"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            let kind = q["kind"].as_str().unwrap();
            let values: Vec<String> = match kind {
                "single" => vec![text(&q["options"][q["answer"].as_integer().unwrap() as usize])],
                "multiple" => q["answers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| text(&q["options"][i.as_integer().unwrap() as usize]))
                    .collect(),
                "order" => q["items"].as_array().unwrap().iter().map(text).collect(),
                "text" => vec![text(&q["accept"][0])],
                _ => vec![text(&q["answer"])],
            };
            json!({ "name": format!("q.{}", q["id"].as_str().unwrap()), "kind": kind, "values": values })
        })
        .collect()
}

/// Fills in the open quiz form with the right answers.
async fn answer_quiz(b: &Client, key: &[serde_json::Value]) {
    let script = r#"
        const label = (el) => el.closest('label').querySelector('span').textContent;
        for (const a of arguments[0]) {
            const name = CSS.escape(a.name);
            if (a.kind === 'single' || a.kind === 'multiple') {
                for (const input of document.querySelectorAll(`input[name="${name}"]`)) {
                    if (a.values.includes(label(input))) input.click();
                }
            } else if (a.kind === 'order') {
                for (const select of document.querySelectorAll(`select[name^="${name}."]`)) {
                    select.value = String(a.values.indexOf(label(select)) + 1);
                }
            } else {
                document.querySelector(`input[name="${name}"]`).value = a.values[0];
            }
        }
        return true;"#;
    b.execute(script, vec![json!(key)]).await.unwrap();
}

#[tokio::test]
async fn a_learner_reads_a_lesson_with_hydration_and_diagrams() {
    let site = built_site();
    let app = TestApp::builder().db(TestDb::sqlite()).site(&site).spawn().await;
    let driver = Driver::start().await;
    let b = driver.browser(true).await;

    b.goto(&format!("{}/", app.base)).await.unwrap();
    let h1 = b.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert_eq!(h1, "Containers, hands-on");

    // Catalog -> module -> first lesson, by clicking as a learner would.
    click(&b, r#".module-card a[href="/modules/containers"]"#).await;
    click(&b, ".module-intro .button").await;
    let title = b.wait().for_element(Locator::Css(".lesson h1")).await.unwrap();
    assert_eq!(title.text().await.unwrap(), "A process with walls");
    assert!(
        b.current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/modules/containers/a-process-with-walls")
    );

    // Hydration: the theme switch is enabled only once the wasm runs, and
    // clicking it changes the theme.
    hydrated(&b).await;
    let before = b
        .execute("return document.documentElement.dataset.theme || ''", vec![])
        .await
        .unwrap();
    click(&b, ".theme-toggle").await;
    let after = b
        .execute("return document.documentElement.dataset.theme", vec![])
        .await
        .unwrap();
    assert_ne!(before, after);
    assert!(after == json!("dark") || after == json!("light"), "{after}");
    click(&b, ".theme-toggle").await;

    // The diagram, far down the lesson, is drawn as SVG once it comes near
    // the screen, not with the page (mermaid is not even loaded before),
    // and every code block has a copy button.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let early = b
        .execute(
            "return [!!document.querySelector('.prose pre.mermaid svg'), !!document.getElementById('berth-mermaid')]",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(early, json!([false, false]), "a diagram out of sight waits");
    wait_true(&b, DIAGRAM_DRAWN, "the mermaid diagram").await;
    let (blocks, buttons) = (
        b.find_all(Locator::Css(".prose .code")).await.unwrap().len(),
        b.find_all(Locator::Css(".prose .code button.copy"))
            .await
            .unwrap()
            .len(),
    );
    assert!(
        blocks >= 2 && blocks == buttons,
        "{blocks} code blocks, {buttons} copy buttons"
    );

    // Highlighted code is coloured by the stylesheet.
    let colour = b
        .execute(
            "return getComputedStyle(document.querySelector('.prose .hl-comment')).fontStyle",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(colour, json!("italic"));

    // A tall window shows the text, highlighted code and the diagram at once.
    b.set_window_size(1280, 2300).await.unwrap();
    let png = b.screenshot().await.unwrap();
    std::fs::write(screenshot_path("lesson.png"), png).unwrap();

    // Client-side navigation to the next lesson keeps working after hydration.
    click(&b, ".pager-next").await;
    wait_true(
        &b,
        "return document.querySelector('.lesson h1')?.textContent === 'Containers and virtual machines'",
        "the next lesson",
    )
    .await;
    wait_true(&b, DIAGRAM_DRAWN, "the next lesson's diagram").await;
    assert_no_panics(&driver, &b).await;
    b.close().await.unwrap();
}

#[tokio::test]
async fn pages_work_with_javascript_off() {
    let app = bundled_course_app().await;
    let driver = Driver::start().await;
    let b = driver.browser(false).await;
    b.goto(&format!("{}/", app.base)).await.unwrap();
    click(&b, r#".module-card a[href="/modules/images"]"#).await;
    click(&b, ".lesson-list a").await;
    let title = b.wait().for_element(Locator::Css(".lesson h1")).await.unwrap();
    assert_eq!(title.text().await.unwrap(), "Dockerfile basics");
    // The table of contents still folds, without any script.
    let toc = b.find(Locator::Css(".toc details")).await.unwrap();
    assert_eq!(toc.attr("open").await.unwrap().as_deref(), Some("true"));
    click(&b, ".toc summary").await;
    assert_eq!(toc.attr("open").await.unwrap(), None);

    // Signed in, a lesson is the page every learner shares, whose own parts
    // load by script: without it, the lab is a link away.
    b.goto(&format!("{}/signup", app.base)).await.unwrap();
    sign_up(&b, "noscript@example.org").await;
    b.wait().for_element(Locator::Css(".account-email")).await.unwrap();
    b.goto(&format!("{}/modules/containers/a-process-with-walls", app.base))
        .await
        .unwrap();
    let title = b.wait().for_element(Locator::Css(".lesson h1")).await.unwrap();
    assert_eq!(title.text().await.unwrap(), "A process with walls");
    click(&b, ".lab-pending a").await;
    wait_true(
        &b,
        "return document.querySelector('.lab-controls button')?.textContent === 'Start the lab'",
        "the lab's Start button on the learner's own page",
    )
    .await;
    let who = b.find(Locator::Css(".account-email")).await.unwrap();
    assert_eq!(who.text().await.unwrap(), "noscript@example.org");
    // Its forms post and come back to it.
    click(&b, ".lesson-status button").await;
    b.wait().for_element(Locator::Css(".lesson-status.done")).await.unwrap();
    let query = b.current_url().await.unwrap().query().map(str::to_string);
    assert!(query.as_deref().is_some_and(|q| q.starts_with("lab")), "{query:?}");
    assert_no_panics(&driver, &b).await;
    b.close().await.unwrap();
}

#[tokio::test]
async fn a_learner_signs_up_and_logs_out_in_the_browser() {
    let app = bundled_course_app().await;
    let driver = Driver::start().await;
    let b = driver.browser(true).await;
    b.goto(&format!("{}/", app.base)).await.unwrap();
    click(&b, r#".account a[href="/signup"]"#).await;
    sign_up(&b, "lin@example.org").await;
    let who = b.wait().for_element(Locator::Css(".account-email")).await.unwrap();
    assert_eq!(who.text().await.unwrap(), "lin@example.org");
    assert_eq!(b.current_url().await.unwrap().path(), "/");

    // Mark a lesson complete (through the hydrated form) and see the dashboard change.
    let lessons: usize = common::bundled_course().modules.iter().map(|m| m.lessons.len()).sum();
    b.goto(&format!("{}/modules/containers/a-process-with-walls", app.base))
        .await
        .unwrap();
    hydrated(&b).await;
    click(&b, ".lesson-status button").await;
    b.wait().for_element(Locator::Css(".lesson-status.done")).await.unwrap();
    click(&b, r#".account a[href="/dashboard"]"#).await;
    wait_true(
        &b,
        &format!(
            "return document.querySelector('.dashboard .meta')?.textContent === '1 of {lessons} lessons completed'"
        ),
        "the dashboard",
    )
    .await;

    // Take the module's quiz: fail it, read the explanations, retake, pass.
    b.goto(&format!("{}/modules/containers", app.base)).await.unwrap();
    click(&b, ".module-quiz a").await;
    click(&b, ".quiz-form button[type=submit]").await;
    let verdict = b.wait().for_element(Locator::Css(".result")).await.unwrap();
    assert!(verdict.text().await.unwrap().starts_with("Not passed yet"));
    let key = quiz_key("01-containers");
    let explained = b.find_all(Locator::Css(".feedback .explanation")).await.unwrap();
    assert_eq!(explained.len(), key.len());
    click(&b, ".quiz a.button").await;
    b.wait().for_element(Locator::Css(".quiz-form")).await.unwrap();
    answer_quiz(&b, &key).await;
    click(&b, ".quiz-form button[type=submit]").await;
    let verdict = b.wait().for_element(Locator::Css(".result.passed")).await.unwrap();
    let right = format!("{n} of {n} right", n = key.len());
    assert!(verdict.text().await.unwrap().contains(&right));
    std::fs::write(screenshot_path("quiz.png"), b.screenshot().await.unwrap()).unwrap();
    click(&b, r#".account a[href="/dashboard"]"#).await;
    wait_true(
        &b,
        "return document.querySelector('.quiz-status')?.textContent.includes('passed, best 100%')",
        "the quiz on the dashboard",
    )
    .await;
    std::fs::write(screenshot_path("dashboard.png"), b.screenshot().await.unwrap()).unwrap();

    click(&b, ".logout button").await;
    b.wait()
        .for_element(Locator::Css(r#".account a[href="/login"]"#))
        .await
        .unwrap();
    assert_eq!(app.me(&app.client).await, None);
    assert_no_panics(&driver, &b).await;
    b.close().await.unwrap();
}

/// What the terminal holds, read from xterm.js's buffer (it does not draw
/// what is off screen).

#[tokio::test]
async fn a_learner_works_an_exercise_in_the_lab() {
    let app = bundled_course_app().await;
    let driver = Driver::start().await;
    let b = signed_up_browser(&driver, &app, "kai@example.org").await;

    // Meanwhile, in another browser, an instructor opens a classroom and Kai joins it.
    let teacher = driver.browser(true).await;
    teacher.goto(&format!("{}/signup", app.base)).await.unwrap();
    sign_up(&teacher, "ivy@example.org").await;
    teacher
        .wait()
        .for_element(Locator::Css(".account-email"))
        .await
        .unwrap();
    let store = berth_server::store::Store::open(&app.db.url).await.unwrap();
    let ivy = berth_server::auth::Email::parse("ivy@example.org").unwrap();
    assert!(store.set_role(&ivy, "instructor".parse().unwrap()).await.unwrap());
    teacher.goto(&format!("{}/classrooms", app.base)).await.unwrap();
    let name = teacher
        .wait()
        .for_element(Locator::Css(r#".classroom-form input[name="name"]"#))
        .await
        .unwrap();
    name.send_keys("Tuesday lab").await.unwrap();
    click(&teacher, ".classroom-form button[type=submit]").await;
    let join = teacher.wait().for_element(Locator::Css(".join-link")).await.unwrap();
    let join = join.attr("href").await.unwrap().unwrap();
    let classroom = teacher.current_url().await.unwrap();
    b.goto(&format!("{}{join}", app.base)).await.unwrap();
    click(&b, ".join form button").await;
    b.wait()
        .for_element(Locator::XPath("//h1[starts-with(text(), 'You are in')]"))
        .await
        .unwrap();
    teacher.goto(classroom.as_str()).await.unwrap();
    hydrated(&teacher).await;
    wait_true(
        &teacher,
        "return document.querySelector('berth-grid')?.dataset.state === 'live'",
        "the live grid",
    )
    .await;
    teacher
        .execute("window.sameDocument = 42; return true", vec![])
        .await
        .unwrap();
    const PID1_CELL: &str = r#"document.querySelector('tr[data-learner] td[data-key="exercise:who-is-pid-1"]')"#;

    b.goto(&format!("{}/modules/containers/a-process-with-walls", app.base))
        .await
        .unwrap();
    hydrated(&b).await;
    click(&b, ".lab-panel .lab-action button").await;
    wait_true(
        &b,
        "return document.querySelector('berth-terminal')?.dataset.state === 'open'",
        "the terminal to connect",
    )
    .await;
    wait_true(&b, &format!("{TERMINAL_TEXT}.includes('learner@lab')"), "a prompt").await;

    // A wrong answer typed by hand, and a command from the lesson's Run button.
    type_in_terminal(&b, "echo wrong > ~/pid1.txt\n").await;
    click(&b, ".prose .code[data-run] button.run").await;
    wait_true(
        &b,
        &format!("{TERMINAL_TEXT}.includes('PID TTY')"),
        "ps output in the terminal",
    )
    .await;
    click(&b, ".exercise .check-form button").await;
    let report = b
        .wait()
        .for_element(Locator::Css(".check-report.failed"))
        .await
        .unwrap();
    let text = report.text().await.unwrap();
    assert!(
        text.contains("expected: docker-init") && text.contains("actual: wrong"),
        "{text}"
    );
    wait_true(
        &teacher,
        &format!("return {PID1_CELL}.classList.contains('failing') && {PID1_CELL}.title.includes('got wrong')"),
        "the instructor's grid to show the failing check",
    )
    .await;

    // Fix it and check again.
    type_in_terminal(&b, "ps -p 1 -o comm= > ~/pid1.txt\n").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    click(&b, ".exercise .check-form button").await;
    b.wait()
        .for_element(Locator::Css(r#".exercise[data-passed="true"] .check-report.passed"#))
        .await
        .unwrap();
    // Checking did not cut the terminal: what it showed is still there.
    let shown = b.execute(TERMINAL_TEXT, vec![]).await.unwrap();
    assert!(shown.as_str().unwrap().contains("PID TTY"), "{shown}");
    std::fs::write(screenshot_path("lab.png"), b.screenshot().await.unwrap()).unwrap();

    // The instructor's grid turned green without a reload.
    wait_true(
        &teacher,
        &format!("return {PID1_CELL}.classList.contains('passed') && window.sameDocument === 42"),
        "the instructor's grid to show the pass",
    )
    .await;
    std::fs::write(screenshot_path("classroom.png"), teacher.screenshot().await.unwrap()).unwrap();

    // The instructor watches Kai's terminal; Kai's page says so.
    click(&teacher, r#".roster a[href*="/watch/"]"#).await;

    wait_true(
        &teacher,
        &format!("{TERMINAL_TEXT}.includes('pid1.txt')"),
        "the learner's recent output in the watch view",
    )
    .await;
    wait_true(
        &b,
        "return document.querySelector('berth-terminal .watching')?.textContent.includes('ivy@example.org')",
        "the learner to be told",
    )
    .await;
    type_in_terminal(&b, "echo seen-by-$((40+2))\n").await;
    wait_true(
        &teacher,
        &format!("{TERMINAL_TEXT}.includes('seen-by-42')"),
        "live output",
    )
    .await;
    std::fs::write(screenshot_path("watch.png"), teacher.screenshot().await.unwrap()).unwrap();
    assert_no_panics(&driver, &teacher).await;
    teacher.close().await.unwrap();

    // A reload finds the same shell: its variables, and what it printed,
    // shown once.
    type_in_terminal(&b, "KEPT=here-$((6*7)); echo before-$((6*7))\n").await;
    wait_in_terminal(&b, "before-42", "output before the reload").await;
    b.refresh().await.unwrap();
    hydrated(&b).await;
    wait_in_terminal(&b, "before-42", "the scrollback after the reload").await;
    let shown = b.execute(TERMINAL_TEXT, vec![]).await.unwrap();
    let shown = shown.as_str().unwrap();
    assert_eq!(shown.lines().filter(|l| l.trim() == "before-42").count(), 1, "{shown}");
    type_in_terminal(&b, "echo $KEPT\n").await;
    wait_in_terminal(&b, "here-42", "the shell's variable").await;

    // A reload in the middle of a command: its output goes on, every line
    // of it once, none lost.
    type_in_terminal(
        &b,
        "for i in $(seq 1 25); do echo tick-$i; sleep 0.2; done; echo ticks-$((6*7))\n",
    )
    .await;
    wait_in_terminal(&b, "tick-3", "the command's first lines").await;
    b.refresh().await.unwrap();
    hydrated(&b).await;
    wait_true_for(
        &b,
        &format!("{TERMINAL_TEXT}.includes('ticks-42')"),
        "the command to finish after the reload",
        30,
    )
    .await;
    let shown = b.execute(TERMINAL_TEXT, vec![]).await.unwrap();
    let shown = shown.as_str().unwrap();
    for i in 1..=25 {
        let tick = format!("tick-{i}");
        assert_eq!(shown.lines().filter(|l| l.trim() == tick).count(), 1, "{tick}: {shown}");
    }

    // Copy and paste from the keyboard: select a line the shell printed,
    // Ctrl+Shift+C, then Ctrl+V into a command.
    type_in_terminal(&b, "echo copy-me-$((6*7))\n").await;
    wait_in_terminal(&b, "copy-me-42", "the line to copy").await;
    let selected = b
        .execute(
            "const t = document.querySelector('berth-terminal').term; const b = t.buffer.active; \
             for (let i = b.length - 1; i >= 0; i--) { \
               if (b.getLine(i).translateToString(true).trim() === 'copy-me-42') { t.select(0, i, 10); break; } } \
             return t.getSelection()",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(selected, json!("copy-me-42"));
    type_in_terminal(&b, "\u{E009}\u{E008}c\u{E000}").await;
    type_in_terminal(&b, "echo pasted:").await;
    type_in_terminal(&b, "\u{E009}v\u{E000}").await;
    type_in_terminal(&b, "\n").await;
    wait_true(
        &b,
        &format!("{TERMINAL_TEXT}.split('\\n').some(l => l.trim() === 'pasted:copy-me-42')"),
        "the shell to run the pasted text",
    )
    .await;

    // The terminal resizes with the window, down to the shell.
    const SIZE: &str = "const t = document.querySelector('berth-terminal').term; return `${t.rows} ${t.cols}`";
    let before = b.execute(SIZE, vec![]).await.unwrap();
    b.set_window_size(900, 700).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let size = b.execute(SIZE, vec![]).await.unwrap();
    assert_ne!(size, before, "a smaller window, a smaller terminal");
    let size = size.as_str().unwrap().to_string();
    type_in_terminal(&b, "echo size=$(stty size)\n").await;
    wait_in_terminal(&b, &format!("size={size}"), "the shell to have the page's size").await;

    // Stop the lab from the page.
    stop_lab(&b).await;
    assert_no_panics(&driver, &b).await;
    b.close().await.unwrap();
}

/// Types a command into the lab's terminal and waits (up to `seconds`) for
/// the marker it prints at the end.
async fn run_in_terminal(b: &Client, command: &str, marker: &str, seconds: u64) {
    type_in_terminal(b, &format!("{command} && echo {marker}-$((40+2))\n")).await;
    let done = format!("{TERMINAL_TEXT}.includes('{marker}-42')");
    for _ in 0..seconds * 2 {
        if b.execute(&done, vec![]).await.unwrap() == json!(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    std::fs::write(screenshot_path("terminal-failed.png"), b.screenshot().await.unwrap()).unwrap();
    let shown = b.execute(TERMINAL_TEXT, vec![]).await.unwrap();
    panic!(
        "`{command}` did not finish in {seconds} s:\n{}",
        shown.as_str().unwrap_or_default()
    );
}

/// Module 3 builds and runs a real image in a docker lab; module 9 runs a
/// hardened container there. Both checks read the lab engine's real state.
#[tokio::test]
async fn a_learner_builds_an_image_and_runs_it_hardened_in_docker_labs() {
    let app = bundled_course_app().await;
    let driver = Driver::start().await;
    let b = signed_up_browser(&driver, &app, "kai@example.org").await;

    open_lab(&b, &format!("{}/modules/images/dockerfile-basics", app.base)).await;
    // Nothing built yet: the check says which image is missing.
    let report = check_exercise(&b, "first-image", false).await;
    assert!(report.contains("hello-py:0.1"), "{report}");
    let dockerfile = r#"printf 'FROM python:3.13-slim\nWORKDIR /srv\nCOPY app.py .\nUSER 1000\nEXPOSE 8000\nLABEL org.opencontainers.image.title="hello-py"\nCMD ["python", "app.py"]\n' > ~/hello-py/Dockerfile"#;
    run_in_terminal(&b, dockerfile, "written", 10).await;
    run_in_terminal(
        &b,
        "docker build -q -t hello-py:0.1 ~/hello-py && docker run -d --name hello -p 8000:8000 hello-py:0.1 && sleep 2",
        "built",
        180,
    )
    .await;
    let report = check_exercise(&b, "first-image", true).await;
    assert!(report.contains("hello from an image"), "{report}");
    std::fs::write(screenshot_path("images-lab.png"), b.screenshot().await.unwrap()).unwrap();
    stop_lab(&b).await;

    open_lab(&b, &format!("{}/modules/practices/least-privilege", app.base)).await;
    // Running as root with everything allowed is refused, by what the engine shows.
    run_in_terminal(
        &b,
        "docker build -q -t shop/invoice:2.3.1 ~/invoice && docker run -d --name invoice \
         -v ~/invoice/secrets/api-key.txt:/run/secrets/api-key:ro -e API_KEY_FILE=/run/secrets/api-key \
         -p 8080:8080 shop/invoice:2.3.1 && sleep 2",
        "plain",
        180,
    )
    .await;
    let report = check_exercise(&b, "hardened-run", false).await;
    assert!(report.contains("the process is not root"), "{report}");
    run_in_terminal(
        &b,
        "docker rm -f invoice && docker run -d --name invoice --user 10001:10001 --cap-drop ALL \
         --security-opt no-new-privileges --read-only --tmpfs /tmp --memory 256m --cpus 0.5 --pids-limit 100 \
         -v ~/invoice/secrets/api-key.txt:/run/secrets/api-key:ro -e API_KEY_FILE=/run/secrets/api-key \
         -p 8080:8080 shop/invoice:2.3.1 && sleep 2",
        "hardened",
        60,
    )
    .await;
    let report = check_exercise(&b, "hardened-run", true).await;
    assert!(report.contains("every capability is dropped"), "{report}");
    std::fs::write(screenshot_path("practices-lab.png"), b.screenshot().await.unwrap()).unwrap();
    stop_lab(&b).await;
    assert_no_panics(&driver, &b).await;
    b.close().await.unwrap();
}

/// What one node's terminal shows, as `TERMINAL_TEXT` does for the first.
fn node_text(node: u8) -> String {
    TERMINAL_TEXT.replace("'berth-terminal'", &format!("'#node{node}-terminal'"))
}

#[tokio::test]
async fn a_learner_switches_between_the_nodes_of_a_cluster_lab() {
    let site = built_site();
    let app = TestApp::builder().site(&site).fixture("docker-course").spawn().await;
    let driver = Driver::start().await;
    let b = signed_up_browser(&driver, &app, "kai@example.org").await;
    b.goto(&format!("{}/modules/cluster/swarm", app.base)).await.unwrap();
    hydrated(&b).await;
    click(&b, ".lab-panel .lab-action button").await;

    // A tab per node; node1 shows first, each terminal on its own machine.
    let tabs = b.wait().for_element(Locator::Css(".node-tabs")).await.unwrap();
    assert_eq!(
        tabs.text().await.unwrap().split_whitespace().collect::<Vec<_>>(),
        ["node1", "node2", "node3"]
    );
    wait_true(
        &b,
        &format!("{}.includes('learner@node1')", node_text(1)),
        "node1's prompt",
    )
    .await;
    wait_true(
        &b,
        "return !document.querySelector('#node1-terminal').hidden && document.querySelector('#node2-terminal').hidden",
        "only node1's terminal to show",
    )
    .await;
    click(&b, "#node2-tab").await;
    wait_true(
        &b,
        "return document.querySelector('#node1-terminal').hidden && !document.querySelector('#node2-terminal').hidden \
         && document.querySelector('#node2-tab').getAttribute('aria-selected') === 'true'",
        "node2's terminal to show",
    )
    .await;
    wait_true(
        &b,
        &format!("{}.includes('learner@node2')", node_text(2)),
        "node2's prompt",
    )
    .await;
    let input = b
        .wait()
        .for_element(Locator::Css("#node2-terminal textarea"))
        .await
        .unwrap();
    input.send_keys("echo typed-on-$(hostname)\n").await.unwrap();
    wait_true(
        &b,
        &format!("{}.includes('typed-on-node2')", node_text(2)),
        "node2's output",
    )
    .await;
    // A Run button types into the node whose tab is showing.
    click(&b, ".prose .code[data-run] button.run").await;
    wait_true(
        &b,
        &format!("{}.includes('ran-on-node2')", node_text(2)),
        "the Run command on node2",
    )
    .await;
    // Back on node1, its shell is as it was: nothing typed on node2 shows there.
    click(&b, "#node1-tab").await;
    let node1 = b.execute(&node_text(1), vec![]).await.unwrap();
    assert!(!node1.as_str().unwrap().contains("-on-node"), "{node1}");
    std::fs::write(screenshot_path("nodes.png"), b.screenshot().await.unwrap()).unwrap();

    stop_lab(&b).await;
    assert_no_panics(&driver, &b).await;
    b.close().await.unwrap();
}

#[tokio::test]
async fn an_author_sees_edits_and_problems_in_the_open_page() {
    let course = common::copy_course(&common::workspace().join("server/tests/fixtures/quiz-course"));
    let lesson = course.path().join("modules/01-basics/01-intro.md");
    let db = TestDb::sqlite();
    let server = common::WatchServer::start(course.path(), &built_site(), &db);
    let driver = Driver::start().await;
    let b = driver.browser(true).await;
    b.goto(&format!("{}/modules/basics/intro", server.base)).await.unwrap();
    hydrated(&b).await;
    let heading = "document.querySelector('.lesson h1')?.textContent";
    let shown = b.execute(&format!("return {heading}"), vec![]).await.unwrap();
    assert_eq!(shown, json!("Intro"));

    // A good edit: the open page reloads by itself and shows it.
    let text = std::fs::read_to_string(&lesson).unwrap();
    let saved = std::time::Instant::now();
    std::fs::write(&lesson, text.replace("title = \"Intro\"", "title = \"Intro, revised\"")).unwrap();
    wait_true(
        &b,
        &format!("return {heading} === 'Intro, revised'"),
        "the edit in the page",
    )
    .await;
    eprintln!("the page showed the edit {:?} after saving", saved.elapsed());

    // A broken edit: the problems cover the page, with file and line.
    std::fs::write(&lesson, "no front matter here\n").unwrap();
    wait_true(
        &b,
        "return document.querySelector('#berth-problems pre')?.textContent.includes('01-intro.md:1')",
        "the problems over the page",
    )
    .await;
    std::fs::write(screenshot_path("watch-problems.png"), b.screenshot().await.unwrap()).unwrap();

    // Fixed: the overlay goes and the page follows.
    std::fs::write(&lesson, text).unwrap();
    wait_true(
        &b,
        &format!("return !document.querySelector('#berth-problems') && {heading} === 'Intro'"),
        "the fixed page",
    )
    .await;
    assert_no_panics(&driver, &b).await;
    b.close().await.unwrap();
}

/// One response as Chromium's DevTools protocol saw it.
#[derive(Debug)]
struct Transfer {
    path: String,
    /// Bytes over the wire, headers included (`encodedDataLength`); 0 when
    /// the browser's cache answered.
    bytes: u64,
    encoding: Option<String>,
}

impl Transfer {
    /// A file of the built site (bundle, stylesheet, scripts).
    fn is_static(&self) -> bool {
        ["/pkg/", "/assets/", "/vendor/"]
            .iter()
            .any(|f| self.path.starts_with(f))
    }
}

/// What the browser fetched since the last call, from its performance log
/// (DevTools `Network.*` events).
async fn transfers(driver: &Driver, b: &Client) -> Vec<Transfer> {
    // Let responses still arriving finish.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let log: serde_json::Value = serde_json::from_str(&browser_log(driver, b, "performance").await).unwrap();
    let mut urls = std::collections::HashMap::new();
    let mut encodings = std::collections::HashMap::new();
    let mut done = Vec::new();
    for entry in log["value"].as_array().expect("a performance log") {
        let event: serde_json::Value = serde_json::from_str(entry["message"].as_str().unwrap()).unwrap();
        let (method, params) = (&event["message"]["method"], &event["message"]["params"]);
        let id = params["requestId"].as_str().unwrap_or_default().to_string();
        match method.as_str().unwrap_or_default() {
            "Network.requestWillBeSent" => {
                urls.insert(id, params["request"]["url"].as_str().unwrap().to_string());
            }
            "Network.responseReceived" => {
                let headers = params["response"]["headers"].as_object().unwrap();
                let encoding = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-encoding"))
                    .and_then(|(_, v)| v.as_str().map(str::to_string));
                encodings.insert(id, encoding);
            }
            "Network.loadingFinished" => done.push((id, params["encodedDataLength"].as_f64().unwrap() as u64)),
            _ => {}
        }
    }
    done.into_iter()
        .filter_map(|(id, bytes)| {
            let url = reqwest::Url::parse(urls.get(&id)?).ok()?;
            Some(Transfer {
                path: url.path().to_string(),
                bytes,
                encoding: encodings.remove(&id).flatten(),
            })
        })
        .collect()
}

fn total(transfers: &[Transfer]) -> u64 {
    transfers.iter().map(|t| t.bytes).sum()
}

/// Prints what a visit transferred, largest first.
fn show(visit: &str, transfers: &[Transfer]) {
    let mut sorted: Vec<&Transfer> = transfers.iter().collect();
    sorted.sort_by_key(|t| std::cmp::Reverse(t.bytes));
    eprintln!("{visit}: {} bytes in {} responses", total(transfers), transfers.len());
    for t in sorted {
        eprintln!(
            "  {:>9} {:<5} {}",
            t.bytes,
            t.encoding.as_deref().unwrap_or("-"),
            t.path
        );
    }
}

/// Opens `url`, waits until `ready` holds, and returns what that transferred.
async fn visit(driver: &Driver, b: &Client, url: &str, ready: &str, name: &str) -> Vec<Transfer> {
    b.goto(url).await.unwrap();
    wait_true(b, ready, name).await;
    let transferred = transfers(driver, b).await;
    show(name, &transferred);
    transferred
}

fn assert_cached(transfers: &[Transfer]) {
    let fetched: Vec<&Transfer> = transfers.iter().filter(|t| t.is_static() && t.bytes > 0).collect();
    assert!(fetched.is_empty(), "static files fetched again: {fetched:?}");
}

/// The network budget of a school with many learners on one line: a lesson
/// with a lab costs at most 1 MB the first time and under 50 KB after,
/// and the diagram library comes compressed, once, only where a diagram is.
#[tokio::test]
async fn a_lesson_with_a_lab_is_light_on_the_network() {
    const FIRST_VISIT: u64 = 1_000_000;
    const WARM_VISIT: u64 = 50_000;
    let site = built_site();
    let app = TestApp::builder().db(TestDb::sqlite()).site(&site).spawn().await;
    let course = common::bundled_course();
    let lessons: Vec<(String, &berth_app::course::Lesson)> = course
        .modules
        .iter()
        .flat_map(|m| {
            m.lessons
                .iter()
                .map(move |l| (format!("/modules/{}/{}", m.id, l.id), l))
        })
        .collect();
    let has_diagram = |l: &berth_app::course::Lesson| l.html.contains(r#"<pre class="mermaid">"#);
    let (lab_lesson, _) = lessons
        .iter()
        .find(|(_, l)| !l.exercises.is_empty() && !has_diagram(l))
        .expect("a lesson with a lab and no diagram");
    let diagrams: Vec<&String> = lessons.iter().filter(|(_, l)| has_diagram(l)).map(|(p, _)| p).collect();
    assert!(diagrams.len() >= 2, "two lessons with diagrams");

    // A signed-in learner whose browser has never seen Berth's files: the
    // session cookie is set on a page that loads nothing.
    let (_, cookie) = common::session_cookie(&app, "ada@example.org").await;
    let driver = Driver::start().await;
    let b = driver.measuring_browser().await;
    b.goto(&format!("{}/healthz", app.base)).await.unwrap();
    b.execute("document.cookie = arguments[0] + '; path=/'", vec![json!(cookie)])
        .await
        .unwrap();
    transfers(&driver, &b).await;

    // First visit: the page, the bundle, and xterm once the lab starts.
    b.goto(&format!("{}{lab_lesson}", app.base)).await.unwrap();
    hydrated(&b).await;
    click(&b, ".lab-panel .lab-action button").await;
    wait_true(&b, &format!("{TERMINAL_TEXT}.includes('learner@')"), "a prompt").await;
    let first = transfers(&driver, &b).await;
    show("first visit", &first);
    for plain in ["/pkg/berth_bg.wasm", "/vendor/xterm.mjs"] {
        let url = common::hashed(&site, plain);
        let t = first
            .iter()
            .find(|t| t.path == url)
            .unwrap_or_else(|| panic!("{url} fetched"));
        assert_eq!(t.encoding.as_deref(), Some("br"), "{url}");
    }
    assert!(
        !first.iter().any(|t| t.path.contains("mermaid")),
        "no diagram, no mermaid"
    );
    assert!(total(&first) <= FIRST_VISIT, "first visit: {} bytes", total(&first));

    // Second visit: everything static comes from the cache, unasked.
    let prompt = format!("{TERMINAL_TEXT}.includes('learner@')");
    let second = visit(
        &driver,
        &b,
        &format!("{}{lab_lesson}", app.base),
        &prompt,
        "second visit",
    )
    .await;
    assert_cached(&second);
    assert!(total(&second) < WARM_VISIT, "second visit: {} bytes", total(&second));

    // A lesson with a diagram adds mermaid, compressed.
    let mermaid = common::hashed(&site, "/vendor/mermaid.min.js");
    let raw = std::fs::metadata(site.join(mermaid.trim_start_matches('/')))
        .unwrap()
        .len();
    let see_diagram = async |path: &str, name: &str| {
        let url = format!("{}{path}", app.base);
        visit(&driver, &b, &url, DIAGRAM_DRAWN, name).await
    };
    let diagram = see_diagram(diagrams[0], "first diagram").await;
    let fetched: Vec<&Transfer> = diagram.iter().filter(|t| t.is_static() && t.bytes > 0).collect();
    assert!(
        fetched.len() == 1 && fetched[0].path == mermaid,
        "only mermaid is new: {fetched:?}"
    );
    assert_eq!(fetched[0].encoding.as_deref(), Some("br"));
    assert!(fetched[0].bytes < raw / 3, "{} bytes for {raw}", fetched[0].bytes);
    assert!(total(&diagram) - fetched[0].bytes < WARM_VISIT);

    // ...once: the next diagram finds it in the cache.
    let next = see_diagram(diagrams[1], "next diagram").await;
    assert_cached(&next);
    assert!(total(&next) < WARM_VISIT, "next diagram: {} bytes", total(&next));

    // Stop the lab.
    b.goto(&format!("{}{lab_lesson}", app.base)).await.unwrap();
    hydrated(&b).await;
    stop_lab(&b).await;
    assert_no_panics(&driver, &b).await;
    b.close().await.unwrap();
}
