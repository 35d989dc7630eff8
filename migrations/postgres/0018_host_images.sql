-- The lab images each lab host can run labs of, as Berth last found them
-- there (`berth hosts add`, `berth images build --host`, `berth doctor`
-- and every sweep). A docker lab's image counts only where the host's
-- registry mirror serves the course images, so its pulls stay on that
-- host. Placement takes a host only if it has the lab's image.
CREATE TABLE lab_host_images (
    host TEXT NOT NULL REFERENCES lab_hosts (name) ON DELETE CASCADE,
    image TEXT NOT NULL,
    PRIMARY KEY (host, image)
);
