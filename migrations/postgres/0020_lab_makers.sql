-- The replica making a lab (recording it, creating it, running its setups,
-- or personalising a claimed warm lab). When that replica dies mid-way the
-- sweep ends the lab as interrupted at once, instead of after the start
-- timeout. Labs recorded before this column have none, and wait it out.
ALTER TABLE labs ADD COLUMN made_by TEXT;
