//! `berth serve`: load the course, open the database, answer HTTP until told
//! to stop, then finish the requests in flight.

use anyhow::Context;
use leptos::config::LeptosOptions;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

use crate::auth::PasswordHasher;
use crate::auth::session::Sessions;
use crate::config::ServeConfig;
use crate::events::Events;
use crate::lab::{self, Labs};
use crate::site::Site;
use crate::state::AppState;
use crate::store::Lock;
use crate::{content, router};
use berth_app::quiz::QuizBook;

/// Everything `serve` needs, prepared; separate from listening so tests can
/// bind port 0 and drive the same application.
pub async fn prepare(config: &ServeConfig) -> anyhow::Result<AppState> {
    let started = std::time::Instant::now();
    let images = lab::images::playground_images(&config.labs.playground);
    if images.is_empty() {
        tracing::warn!(
            "no lab images defined in {}: exercises' images are not checked (set --playground)",
            config.labs.playground.display()
        );
    }
    let content::Loaded {
        course,
        quizzes,
        labs,
        grading,
        ..
    } = content::load(&config.content, &images)
        .with_context(|| format!("refusing to serve the course in {}", config.content.display()))?;
    let lessons: usize = course.modules.iter().map(|m| m.lessons.len()).sum();
    tracing::info!(
        modules = course.modules.len(),
        lessons,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "course loaded from {}",
        config.content.display()
    );
    let store = config.database.open().await?;
    store
        .set_instance_value("server_version", env!("CARGO_PKG_VERSION"))
        .await?;
    // Replicas starting together against a new database take turns, so
    // they agree on one instance id (their labs' label) and do not race to
    // create the session table.
    let setting_up = store.lock(Lock::Setup).await?;
    let instance = match store.instance_value("instance_id").await? {
        Some(id) => id,
        None => {
            let id = lab::new_id();
            store.set_instance_value("instance_id", &id).await?;
            id
        }
    };
    let sessions = Sessions::open(&config.database.database_url)
        .await
        .context("preparing the session table")?;
    setting_up.release().await?;
    let lab_config = config.labs.lab_config();
    if let Some(module) = lab_config.warm.named().find(|m| !labs.contains_key(*m)) {
        anyhow::bail!("--warm names the module `{module}`, which has no lab in this course");
    }
    let grading = Arc::new(grading);
    let titles = course.modules.iter().map(|m| (m.id.clone(), m.title.clone())).collect();
    let events = Events::open(&store, &config.database.database_url)
        .await
        .context("listening for other replicas' changes")?;
    let mirror = lab::mirror::RegistryMirror {
        upstream: config.labs.mirror_upstream.clone(),
    };
    let local = lab::docker::DockerRuntime::connect(config.labs.runtimes.clone(), mirror.clone()).await;
    let hosts = lab::hosts::Hosts::new(local, config.labs.runtimes.clone(), mirror, store.clone());
    let labs = Arc::new(Labs::new(
        lab::Launcher::new(Arc::new(hosts), instance, config.labs.setups_at_once),
        store.clone(),
        events.clone(),
        lab_config,
        labs,
        titles,
        grading.clone(),
    ));
    labs.spawn_sweeper();
    let site = Site::load(&config.site_dir)
        .with_context(|| format!("reading the built front end in {}", config.site_dir.display()))?;
    let leptos = LeptosOptions::builder()
        .output_name(site.bundle_name())
        .site_root(config.site_dir.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .build();
    if !site.has_bundle() {
        tracing::warn!(
            "no browser bundle in {}: pages work, but nothing interactive will; run `cargo xtask build`",
            config.site_dir.display()
        );
    }
    let course = Arc::new(course);
    let throttle = Arc::new(crate::auth::LoginThrottle::new(store.clone()));
    let classrooms = Arc::new(crate::classroom::Classrooms::new(
        store.clone(),
        course.clone(),
        crate::classroom::StuckRules {
            failures: config.stuck.stuck_failures,
            idle: config.stuck.stuck_idle,
        },
        config
            .timezone
            .clone()
            .unwrap_or_else(crate::classroom::SchoolClock::system),
    ));
    let lti = Arc::new(crate::lti::Lti::new(config.public_url.clone()));
    let stopping = tokio_util::sync::CancellationToken::new();
    crate::lti::ags::Outbox {
        store: store.clone(),
        lti: Arc::downgrade(&lti),
        grading: grading.clone(),
    }
    .spawn(events.clone(), stopping.clone());
    Ok(AppState {
        course,
        classrooms,
        grading,
        quiz_book: QuizBook(Arc::new(quizzes.iter().map(|(m, q)| (m.clone(), q.public())).collect())),
        quizzes: Arc::new(quizzes),
        labs,
        store,
        events,
        site: Arc::new(site),
        pages: Arc::default(),
        leptos,
        hasher: PasswordHasher::default(),
        throttle,
        signup: config.signup,
        sessions,
        session_idle_minutes: config.session_idle_minutes,
        secure_cookies: config.secure_cookies,
        live: None,
        stopping,
        lti,
    })
}

pub async fn run(config: ServeConfig) -> anyhow::Result<()> {
    let state = prepare(&config).await?;
    let store = state.store.clone();
    state.sessions.spawn_cleanup();
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    tracing::info!("Berth is serving on http://{}", listener.local_addr()?);
    if config.watch {
        crate::watch::run(&config, listener.into_std()?, state, shutdown_signal()).await?;
    } else {
        let stopping = state.stopping.clone();
        let app = router::router(state);
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async move {
                shutdown_signal().await;
                stopping.cancel();
            })
            .await?;
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
